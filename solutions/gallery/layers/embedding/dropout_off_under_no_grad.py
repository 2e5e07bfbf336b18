"""Dropout that takes torch's grad mode for its switch: under torch.no_grad() (or
inference_mode) it returns x untouched, even in training mode. The mode is self.training, set
by train()/eval(); nn.Dropout still drops under no_grad (sampling with dropout on, Monte Carlo
dropout, a no_grad validation pass that forgot model.eval() must behave as training does).
Fix: test self.training only; leave torch.is_grad_enabled() out of it."""

import torch

import solutions.layers.embedding as _ref
from solutions.layers.embedding import *  # noqa: F401,F403 (the rest is correct)


class Dropout(_ref.Dropout):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not torch.is_grad_enabled():
            return x
        return super().forward(x)

"""Dropout whose eval branch returns x.detach().clone() ("no randomness, no graph needed"):
the values are the identity, but the output is cut from x, so a model fine-tuned or probed
in eval mode (dropout off, gradients still wanted) gets no gradient through any dropout
layer. Fix: in eval mode return x itself (the identity passes the gradient unchanged)."""

import torch

from solutions.layers.embedding import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.embedding import Dropout as _Correct


class Dropout(_Correct):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return x.detach().clone()  # wrong: the identity must keep the graph
        return super().forward(x)

"""Dropout's p = 1 shortcut returns torch.zeros_like(x): dtype, shape and device are right,
but the output is a fresh tensor cut from x, so backward through a Dropout(1.0) fails
("does not require grad") or leaves x.grad None, where the gradient must flow through the
all-zero mask and be 0. Fix: x * 0.0 (zeros, no NaN, still in the graph)."""

import torch

from solutions.layers.embedding import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.embedding import Dropout as _Dropout


class Dropout(_Dropout):
    def forward(self, x):
        if self.training and self.p == 1.0:
            return torch.zeros_like(x)  # wrong: cut from the graph
        return super().forward(x)

"""Dropout's p = 0 shortcut returns x.detach().clone() (a copy, so that the caller can never
modify x through the output): the values are right, but the output is cut from x, so in
training with p = 0 no gradient reaches x (backward fails, or x.grad stays None) where the
gradient must flow through the all-ones mask and be the upstream gradient itself.

Fix: return x (or x * 1.0): the identity, still in the graph.
"""

import torch

from solutions.layers.embedding import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.embedding import Dropout as _Dropout


class Dropout(_Dropout):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training and self.p == 0.0:
            return x.detach().clone()
        return super().forward(x)

"""Dropout's p = 1 shortcut returns torch.zeros(x.shape, device=x.device): the device is right,
but the dtype is the default float32, so a float64 or half activation comes back float32
whenever p = 1, although the output must have x's dtype. Fix: x * 0.0 (which keeps the
graph too; torch.zeros_like(x) would keep the dtype but cut the graph)."""

import torch

from solutions.layers.embedding import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.embedding import Dropout as _Correct


class Dropout(_Correct):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training and self.p == 1.0:
            return torch.zeros(x.shape, device=x.device)  # wrong: float32, whatever x's dtype
        return super().forward(x)

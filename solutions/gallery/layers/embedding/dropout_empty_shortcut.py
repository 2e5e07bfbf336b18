"""Dropout returns early for an empty x with torch.empty(x.shape, device=x.device): the
shape and device are right, but the dtype is the default float32, so a float64 or half
activation with no elements comes back float32. Fix: no shortcut (torch.rand of an empty
shape is fine), or return x itself / torch.empty_like(x)."""

import torch

from solutions.layers.embedding import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.embedding import Dropout as _Correct


class Dropout(_Correct):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.training and self.p > 0.0 and x.numel() == 0:
            return torch.empty(x.shape, device=x.device)  # wrong: float32 whatever x's dtype
        return super().forward(x)

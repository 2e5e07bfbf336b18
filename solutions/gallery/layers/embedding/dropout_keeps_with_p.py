"""Dropout that keeps each element with probability p instead of dropping it with
probability p: `torch.rand(shape) < p` is True with probability p, and using it as the keep
mask turns Dropout(0.1) into dropping 90% of the activations. Fix: keep where
torch.rand(shape) >= p (True with probability 1 - p), or use torch.bernoulli(1 - p)."""

import torch

from solutions.layers.embedding import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.embedding import Dropout as _Correct


class Dropout(_Correct):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p in (0.0, 1.0):
            return super().forward(x)
        keep = torch.rand(x.shape, device=x.device) < self.p  # wrong: True with probability p
        return x * keep / (1.0 - self.p)

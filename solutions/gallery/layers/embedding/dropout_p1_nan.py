"""Dropout(1.0) that returns NaN: the mask is all zeros, but 1 / (1 - p) is inf, and
0 * inf is NaN in floating point, so the whole output (and its gradient) becomes NaN instead
of zeros. Fix: handle p = 1 on its own (return x * 0, or zeros)."""

import torch

from solutions.layers.embedding import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.embedding import Dropout as _Correct


class Dropout(_Correct):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training:
            return x
        keep = torch.rand(x.shape, device=x.device) >= self.p
        scale = 1.0 / (1.0 - self.p) if self.p < 1.0 else float("inf")  # what x / 0 gives
        return x * keep * scale

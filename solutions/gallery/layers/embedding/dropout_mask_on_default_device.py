"""Dropout that draws its mask with `torch.rand(x.shape)` and no device: the mask lives on the
default device (CPU), so a CUDA (or meta) input meets a CPU mask and the multiply fails or the
output lands on the wrong device.

Fix: torch.rand(x.shape, device=x.device), or torch.rand_like(x).
"""

import torch

from solutions.layers.embedding import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.embedding import Dropout as _Correct


class Dropout(_Correct):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        if self.p == 1.0:
            return x * 0.0
        keep = torch.rand(x.shape) >= self.p  # on the default device, not x's
        return x * keep / (1.0 - self.p)

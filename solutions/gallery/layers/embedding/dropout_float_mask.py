"""Dropout whose mask is `(torch.rand(x.shape) >= p).float()`: multiplying a float16 or
bfloat16 input by a float32 mask promotes the output to float32, breaking "output has x's
dtype" (a half-precision model starts mixing dtypes after every dropout).

Fix: keep the mask bool (x * keep) or build it in x's dtype (.to(x.dtype), torch.rand_like(x)).
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
        mask = (torch.rand(x.shape, device=x.device) >= self.p).float()
        return x * mask / (1.0 - self.p)

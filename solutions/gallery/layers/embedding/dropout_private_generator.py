"""Dropout that draws its mask from a private torch.Generator seeded in __init__. Masks still
change from call to call, but torch.manual_seed no longer controls them, so a seeded training
run is not reproducible through torch's global generator as the contract promises.

Fix: draw with torch.rand / torch.bernoulli without a generator= argument (torch's global one).
"""

import torch

from solutions.layers.embedding import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.embedding import Dropout as _Correct


class Dropout(_Correct):
    def __init__(self, p: float):
        super().__init__(p)
        self.gen = torch.Generator().manual_seed(0)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return x
        if self.p == 1.0:
            return x * 0.0
        keep = torch.rand(x.shape, generator=self.gen).to(x.device) >= self.p
        return x * keep / (1.0 - self.p)

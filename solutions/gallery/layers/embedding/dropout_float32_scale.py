"""Dropout whose scale is a float32 0-d tensor, scale = torch.tensor(1 / (1 - p)): it keeps
a float16/bfloat16 x's dtype (a 0-d tensor does not promote), but a float64 x is multiplied
by 1 / (1 - p) rounded to float32 (1 / 0.75 becomes 1.3333333730697632), so the kept values
are not x / (1 - p) in x's dtype.

Fix: scale with the Python float (x * keep / (1 - p)) or a tensor in x's dtype.
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
        keep = torch.rand(x.shape, device=x.device) >= self.p
        scale = torch.tensor(1.0 / (1.0 - self.p), device=x.device)  # wrong: float32
        return x * keep * scale

"""eps stored as a tensor, self.eps = torch.tensor(eps): a float32 scalar, so a float64 x still
gives a float64 result, but eps = 0.1 is rounded to float32 (0.10000000149...) inside a
computation promised in x's dtype.

Fix: keep eps a Python float (self.eps = eps) and add it as is.
"""

import torch
from torch import nn

from solutions.mla.components import *  # noqa: F401,F403 (the rest is correct)


class RMSNorm(nn.Module):
    def __init__(self, dim, eps=1e-6):
        super().__init__()
        self.eps = torch.tensor(eps)  # wrong: float32, whatever x's dtype
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + self.eps) * self.weight

"""Day 14 — norms/rms_norm: reference solution."""

from typing import Callable

import torch
from torch import nn


class RMSNorm(nn.Module):
    """Root-mean-square normalisation over the last dim, with a learned scale `weight`."""

    def __init__(self, dim: int, eps: float = 1e-6):
        """Register weight = ones(dim) as a parameter; keep eps."""
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x / sqrt(mean(x^2, -1) + eps) * weight."""
        mean_square = x.pow(2).mean(dim=-1, keepdim=True)  # no mean subtraction
        return x * torch.rsqrt(mean_square + self.eps) * self.weight


def pre_norm(x: torch.Tensor, sublayer: Callable[[torch.Tensor], torch.Tensor],
             norm: Callable[[torch.Tensor], torch.Tensor]) -> torch.Tensor:
    """x + sublayer(norm(x))."""
    return x + sublayer(norm(x))


def post_norm(x: torch.Tensor, sublayer: Callable[[torch.Tensor], torch.Tensor],
              norm: Callable[[torch.Tensor], torch.Tensor]) -> torch.Tensor:
    """norm(x + sublayer(x))."""
    return norm(x + sublayer(x))

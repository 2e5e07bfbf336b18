"""No rule for an empty slice: a row whose mask is all False computes 0 / 0 = NaN.

The NaN then spreads through everything downstream (a loss, a gradient step). The kata's rule
is that an empty slice averages to 0: divide by mask.sum(dim).clamp_min(1), or select 0 with
torch.where where the count is 0."""

import torch

from solutions.tensors.indexing import *  # noqa: F401,F403 (the rest is correct)


def masked_mean(x: torch.Tensor, mask: torch.Tensor, dim: int) -> torch.Tensor:
    return torch.where(mask, x, torch.zeros_like(x)).sum(dim) / mask.sum(dim)

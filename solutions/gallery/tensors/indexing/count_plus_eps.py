"""Divides by count + 1e-6 "to be safe" instead of by the count.

That keeps an empty slice at 0, but every other mean is now off by a relative 1e-6 (1e-6 /
count): the contract asks for the sum divided by how many entries there are, and a float64
x is computed to float64 accuracy. The error hides under float32 rounding, which is why it
survives casual checks.

Fix: clamp the count instead: total / mask.sum(dim).clamp_min(1) (an empty slice is 0 / 1)."""

import torch

from solutions.tensors.indexing import *  # noqa: F401,F403 (the rest is correct)


def masked_mean(x: torch.Tensor, mask: torch.Tensor, dim: int) -> torch.Tensor:
    total = torch.where(mask, x, torch.zeros_like(x)).sum(dim)
    return total / (mask.sum(dim).to(x.dtype) + 1e-6)

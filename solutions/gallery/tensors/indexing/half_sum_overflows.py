"""Sums a float16 x in float16: the masked sum of a long sequence overflows to inf although
every value and their mean are representable (700 values near 100 sum to ~7e4, float16's
largest is 65504), so the mean comes out inf. torch.mean avoids this by accumulating half
dtypes in float32; the contract asks for the same.

Fix: total = torch.where(mask, x, 0).sum(dim, dtype=torch.float32) for float16/bfloat16,
divide by the count, then cast back with .to(x.dtype)."""

import torch

from solutions.tensors.indexing import *  # noqa: F401,F403 (the rest is correct)


def masked_mean(x: torch.Tensor, mask: torch.Tensor, dim: int) -> torch.Tensor:
    total = torch.where(mask, x, torch.zeros_like(x)).sum(dim)
    count = mask.sum(dim).clamp_min(1)
    return total / count.to(x.dtype)

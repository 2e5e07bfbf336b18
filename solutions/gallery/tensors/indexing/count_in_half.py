"""Counts the kept entries in x's dtype (mask.to(x.dtype).sum(dim)): the sum is accumulated in
float32 as asked, but for a float16 x the count itself overflows to inf beyond 65504 kept
entries (float16's largest), so the mean of 70000 values of 0.5 comes out 0.

Fix: count in an integer dtype, mask.sum(dim) (int64), or in float32, then divide."""

import torch

from solutions.tensors.indexing import *  # noqa: F401,F403 (the rest is correct)


def masked_mean(x: torch.Tensor, mask: torch.Tensor, dim: int) -> torch.Tensor:
    acc = torch.float32 if x.dtype in (torch.float16, torch.bfloat16) else x.dtype
    total = torch.where(mask, x, torch.zeros_like(x)).sum(dim, dtype=acc)
    count = mask.to(x.dtype).sum(dim).clamp_min(1)  # in float16: inf beyond 65504 entries
    return (total / count).to(x.dtype)

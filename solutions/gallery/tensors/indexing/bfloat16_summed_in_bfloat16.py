"""Accumulates only float16 in float32 and leaves bfloat16 to its own dtype: the bfloat16 sum
is rounded to 8 significant bits before the division (257 ones and one 2 sum to 260, not 259),
so the mean is off by a bfloat16 step. The contract accumulates both half dtypes in float32.

Fix: acc = torch.float32 if x.dtype in (torch.float16, torch.bfloat16) else x.dtype, then
sum(dim, dtype=acc), divide, and cast back to x.dtype."""

import torch

from solutions.tensors.indexing import *  # noqa: F401,F403 (the rest is correct)


def masked_mean(x: torch.Tensor, mask: torch.Tensor, dim: int) -> torch.Tensor:
    acc = torch.float32 if x.dtype == torch.float16 else x.dtype
    total = torch.where(mask, x, torch.zeros_like(x)).sum(dim, dtype=acc)
    count = mask.sum(dim).clamp_min(1)
    return (total / count.to(acc)).to(x.dtype)

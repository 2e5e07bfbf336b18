"""Answers a size-0 `dim` with torch.zeros(shape): the right values, but float32 and on the CPU.

Every slice along a size-0 dim is empty, so the stated rule gives zeros; the shortcut that
returns them forgets dtype=x.dtype (a float64 or float16 x gets float32) and device=x.device
(a GPU x gets a CPU result). The general path already gives 0 there (0 / clamped count).

Fix: drop the shortcut, or build it with x.new_zeros(shape)."""

import torch

from solutions.tensors.indexing import *  # noqa: F401,F403 (the rest is correct)


def masked_mean(x: torch.Tensor, mask: torch.Tensor, dim: int) -> torch.Tensor:
    if x.shape[dim] == 0:
        shape = list(x.shape)
        del shape[dim]
        return torch.zeros(shape)
    acc = torch.float32 if x.dtype in (torch.float16, torch.bfloat16) else x.dtype
    total = torch.where(mask, x, torch.zeros_like(x)).sum(dim, dtype=acc)
    count = mask.sum(dim).clamp_min(1)
    return (total / count.to(acc)).to(x.dtype)

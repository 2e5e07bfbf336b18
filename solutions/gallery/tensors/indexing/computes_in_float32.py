"""Computes the mean in float32 and casts the result back to x's dtype.

The dtype is right, but a float64 x now has float32 accuracy (about 7 digits instead of 16):
the contract says a float64 x is computed in float64. (Going through float32 is harmless for
float16/bfloat16; it is the float64 case that loses digits.)

Fix: compute in x's dtype: no .float() on x; build the count with .to(x.dtype)."""

import torch

from solutions.tensors.indexing import *  # noqa: F401,F403 (the rest is correct)


def masked_mean(x: torch.Tensor, mask: torch.Tensor, dim: int) -> torch.Tensor:
    xf = x.float()
    total = torch.where(mask, xf, torch.zeros_like(xf)).sum(dim)
    return (total / mask.sum(dim).clamp_min(1)).to(x.dtype)

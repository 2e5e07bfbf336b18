"""Divides by the raw count and cleans the 0 / 0 of empty slices with nan_to_num(0.0).

Empty slices do come out 0 (and their gradient too), but nan_to_num also rewrites the real
results: a slice with a kept inf averages to finfo.max instead of inf, a kept -inf to
-finfo.max, and a kept NaN silently becomes 0, so a corrupted activation looks like a clean
zero instead of showing up as NaN (torch.mean keeps inf and NaN).

Fix: make the division itself safe, total / count.clamp_min(1) (an empty slice is 0 / 1), and
leave the result alone."""

import torch

from solutions.tensors.indexing import *  # noqa: F401,F403 (the rest is correct)


def masked_mean(x: torch.Tensor, mask: torch.Tensor, dim: int) -> torch.Tensor:
    acc = torch.float32 if x.dtype in (torch.float16, torch.bfloat16) else x.dtype
    total = torch.where(mask, x, torch.zeros_like(x)).sum(dim, dtype=acc)
    return (total / mask.sum(dim).to(acc)).nan_to_num(0.0).to(x.dtype)

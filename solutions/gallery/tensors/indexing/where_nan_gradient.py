"""Guards the empty slice with torch.where(count == 0, 0, total / count) after x * mask.

The forward value is right, 0 for an empty slice, but the backward still runs through the
discarded branch: d(total / count) = 1 / 0 = inf there, and torch.where's 0 upstream times inf
is NaN, which x * mask passes on to every entry of that slice. One empty sequence in a batch
turns the whole gradient step into NaN.

Fix: make the division itself safe: total / count.clamp_min(1) (an empty slice is 0 / 1)."""

import torch

from solutions.tensors.indexing import *  # noqa: F401,F403 (the rest is correct)


def masked_mean(x: torch.Tensor, mask: torch.Tensor, dim: int) -> torch.Tensor:
    total = (x * mask).sum(dim)
    count = mask.sum(dim).to(x.dtype)
    return torch.where(count == 0, torch.zeros_like(total), total / count)

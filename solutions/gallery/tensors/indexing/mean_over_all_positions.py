"""Divides by the full length of `dim` instead of by the number of kept entries.

Zeroing the masked-out entries is right, but the mean must then be divided by how many
entries the mask keeps (mask.sum(dim)); dividing by x.shape[dim] counts the padding too and
shrinks every average of a short sequence towards 0."""

import torch

from solutions.tensors.indexing import *  # noqa: F401,F403 (the rest is correct)


def masked_mean(x: torch.Tensor, mask: torch.Tensor, dim: int) -> torch.Tensor:
    return torch.where(mask, x, torch.zeros_like(x)).sum(dim) / x.shape[dim]

"""Drops the dim without checking its size: x.select(dim, 0) (or x[..., 0, ...]) removes the dim
even when it holds several entries, silently throwing all but the first away. squeeze_dim must
leave x unchanged when x.shape[dim] != 1."""

import torch

from solutions.tensors.reshaping import *  # noqa: F401,F403 (the rest is correct)


def squeeze_dim(x: torch.Tensor, dim: int) -> torch.Tensor:
    return x.select(dim, 0)

"""Drops the size-1 dim with x.sum(dim): the values survive, the dtype does not.

Summing over one element gives the same number, but sum promotes integer and bool tensors to
int64 (and mean refuses them), so an int32 or bool input comes back as int64. The contract
says every output keeps its input's dtype; a reshape never converts anything.

Fix: x.squeeze(dim), x.select(dim, 0) or a reshape to the shape without that dim."""

import torch

from solutions.tensors.reshaping import *  # noqa: F401,F403 (the rest is correct)


def squeeze_dim(x: torch.Tensor, dim: int) -> torch.Tensor:
    return x.sum(dim) if x.shape[dim] == 1 else x

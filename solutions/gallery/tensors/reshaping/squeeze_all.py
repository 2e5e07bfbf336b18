"""Calls x.squeeze() with no dim: every size-1 dim disappears, not just the one asked for.

A batch of one, a single head or a single channel vanish with it, and the next op sees a tensor
of the wrong rank (or broadcasts silently). Pass the dim: x.squeeze(dim) removes only that dim,
and only when its size is 1."""

import torch

from solutions.tensors.reshaping import *  # noqa: F401,F403 (the rest is correct)


def squeeze_dim(x: torch.Tensor, dim: int) -> torch.Tensor:
    return x.squeeze()

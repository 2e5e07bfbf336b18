"""Guarding the count: dividing by (x.shape[dim] or 1) "to avoid a division by zero" turns
the mean over an empty dim into 0, where torch.mean (and the contract) give NaN. An empty
mean has no value; a silent 0 hides an empty batch instead of flagging it.

Fix: divide by x.shape[dim] as it is: 0 / 0 is NaN in floating point."""

import torch

from solutions.broadcasting.reductions import *  # noqa: F401,F403 (the rest is correct)


def mean(x: torch.Tensor, dim: int = -1, keepdim: bool = False) -> torch.Tensor:
    return x.sum(dim=dim, keepdim=keepdim) / (x.shape[dim] or 1)  # 0 becomes 1

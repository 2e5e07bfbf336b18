"""Dividing by the wrong count: the sum over `dim` must be divided by x.shape[dim], the
number of elements summed, not by x.shape[-1] (or x.numel()). With dim=-1 (the default)
both agree, so the mistake hides until another dim is reduced."""

import torch

from solutions.broadcasting.reductions import *  # noqa: F401,F403 (the rest is correct)


def mean(x: torch.Tensor, dim: int = -1, keepdim: bool = False) -> torch.Tensor:
    return x.sum(dim=dim, keepdim=keepdim) / x.shape[-1]  # the wrong dim's size

"""Summing over the wrong dim: the reductions always run over the last dimension, whatever
`dim` says (a habit from the (batch, classes) case). With dim=0 every column should sum to
1, but it is the rows that do. Reduce over `dim` itself: x.amax(dim, keepdim=True) and
e.sum(dim, keepdim=True)."""

import torch

from solutions.losses.softmax import *  # noqa: F401,F403 (the rest is correct)


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    shifted = x - x.amax(dim=-1, keepdim=True)
    e = shifted.exp()
    return e / e.sum(dim=-1, keepdim=True)

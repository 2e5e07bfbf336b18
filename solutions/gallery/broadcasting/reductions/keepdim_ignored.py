"""keepdim ignored: the reduced dim is always dropped, so mean(x, 1, keepdim=True) of a
(2, 3, 4) x is (2, 4) instead of (2, 1, 4), and `x - mean(x, 1, keepdim=True)` then
broadcasts the wrong way (or fails). keepdim=True must keep the reduced dim with size 1, in
its place: pass keepdim on to sum, or unsqueeze(dim) the result."""

import torch

from solutions.broadcasting.reductions import *  # noqa: F401,F403 (the rest is correct)
from solutions.broadcasting.reductions import max as _correct_max


def mean(x: torch.Tensor, dim: int = -1, keepdim: bool = False) -> torch.Tensor:
    return x.sum(dim=dim) / x.shape[dim]  # keepdim never used


def max(x: torch.Tensor, dim: int = -1, keepdim: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    return _correct_max(x, dim, keepdim=False)  # keepdim never used

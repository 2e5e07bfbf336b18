"""Indices of the wrong dim: the values are reduced along `dim` but the indices are
positions along the LAST dim (here: a helper that always scans dim -1 is reused for them).
For a cube the shapes even agree, yet x.gather(dim, indices) does not give the values.
torch.max's indices are positions along the same `dim` the values come from; compute both
in the same pass over that dim."""

import torch

from solutions.broadcasting.reductions import *  # noqa: F401,F403 (the rest is correct)
from solutions.broadcasting.reductions import max as _correct_max


def max(x: torch.Tensor, dim: int = -1, keepdim: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    values, _ = _correct_max(x, dim, keepdim)
    _, indices = _correct_max(x, -1, keepdim)  # positions along the last dim, whatever dim is
    return values, indices

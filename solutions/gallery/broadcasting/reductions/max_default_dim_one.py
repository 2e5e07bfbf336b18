"""Defaults max's dim to 1 (the "row" dim of a matrix) where the contract's default is dim=-1
(the last dim, like the other functions here): on a 2-D x the two are the same dim, but max(x)
of a (B, T, C) tensor reduces over T instead of C.

Fix: def max(x, dim=-1, keepdim=False).
"""

import torch

from solutions.broadcasting.reductions import max as _max
from solutions.broadcasting.reductions import *  # noqa: F401,F403 (the rest is correct)


def max(x: torch.Tensor, dim: int = 1, keepdim: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    return _max(x, dim, keepdim)

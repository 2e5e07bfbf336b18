"""Extra leading 1s of x dropped: squeezing x's leading size-1 dims until it fits lets
broadcast_to(x of shape (1, 3), (3,)) return a (3,) tensor, but broadcasting never removes a
dim: torch.broadcast_to refuses, and a caller that relies on the check (a target with fewer
dims than x is a bug upstream) gets no error. The contract: ValueError when x has more dims
than `shape`.

Fix: check len(shape) >= x.dim() first and raise ValueError otherwise."""

import torch

from solutions.broadcasting.rules import *  # noqa: F401,F403 (the rest is correct)
from solutions.broadcasting.rules import broadcast_to as _correct_broadcast_to


def broadcast_to(x: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    while x.dim() > len(shape) and x.shape[0] == 1:
        x = x[0]  # silently drop a leading 1
    return _correct_broadcast_to(x, shape)

"""keepdim missing: x.amax(dim) and e.sum(dim) drop the reduced dimension, so for x of shape
(N, C) and dim=-1 they have shape (N,), which broadcasting lines up with the LAST dim of x,
not the first. For N != C that is a shape error; for N == C it silently divides entry (i, j)
by row j's sum. keepdim=True keeps shape (N, 1), which broadcasts along the reduced dim."""

import torch

from solutions.losses.softmax import *  # noqa: F401,F403 (the rest is correct)


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    shifted = x - x.amax(dim=dim)
    e = shifted.exp()
    return e / e.sum(dim=dim)

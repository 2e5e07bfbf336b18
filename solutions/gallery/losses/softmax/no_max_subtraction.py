"""No max subtraction: exp(x) / exp(x).sum() is the textbook formula, but exp overflows to inf
for logits above ~88 in float32 (inf / inf = NaN) and underflows to 0 below ~-104 (0 / 0 =
NaN). Softmax does not change when a constant is added to a whole slice, so subtract the
slice's max first: x - x.amax(dim, keepdim=True) has largest entry 0, and exp of it is at
most 1 with the sum at least 1."""

import torch

from solutions.losses.softmax import *  # noqa: F401,F403 (the rest is correct)


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    e = x.exp()
    return e / e.sum(dim=dim, keepdim=True)

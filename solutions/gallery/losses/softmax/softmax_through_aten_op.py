"""Calling the built-in under another name: torch.ops.aten._softmax is the very kernel behind
F.softmax, reached through the dispatcher's op table instead of the public function. The
values are perfect because nothing was written: the kata asks for the max shift, exp and
normalisation by hand.

Fix: shifted = x - x.amax(dim=dim, keepdim=True); e = shifted.exp(); e / e.sum(dim=dim, keepdim=True)."""

import torch

from solutions.losses.softmax import *  # noqa: F401,F403 (the rest is correct)


def softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    return torch.ops.aten._softmax(x, dim, False)

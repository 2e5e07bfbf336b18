"""Contracted sizes not checked: a broadcast multiply accepts k = 1 against k = 3, so
(2, 1) @ (3, 4) silently returns a (2, 4) result (each a[i, 0] times the column sums of b)
instead of failing. The broadcast rules cannot know which dim is the contracted one: check
a.shape[-1] == b.shape[-2] (after promoting 1-D arguments) and raise ValueError."""

import torch

from solutions.broadcasting.products import *  # noqa: F401,F403 (the rest is correct)


def matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    if a.dim() == 0 or b.dim() == 0:
        raise ValueError("matmul needs at least 1-D arguments")
    a2 = a.unsqueeze(0) if a.dim() == 1 else a
    b2 = b.unsqueeze(-1) if b.dim() == 1 else b
    out = (a2.unsqueeze(-1) * b2.unsqueeze(-3)).sum(dim=-2)  # no check that the k's agree
    if a.dim() == 1:
        out = out.squeeze(-2)
    if b.dim() == 1:
        out = out.squeeze(-1)
    return out

"""Removing the row dim with squeeze(0): a 1-D left argument is promoted with
a.unsqueeze(0), so squeeze(0) looks like its inverse, and for (k,) @ (k, m) it is. But with a
batched right argument the product is (..., 1, m): the added dim is second to last, and
squeeze(0) removes a batch dim of size 1 instead (or nothing), so (3,) @ (2, 5, 3, 4) is
(2, 5, 1, 4) instead of (2, 5, 4).

Fix: the added row dim of the result is always dim -2: out.squeeze(-2)."""

import torch

from solutions.broadcasting.products import *  # noqa: F401,F403 (the rest is correct)


def matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    if a.dim() == 0 or b.dim() == 0:
        raise ValueError("matmul needs at least 1-D arguments")
    a2 = a.unsqueeze(0) if a.dim() == 1 else a
    b2 = b.unsqueeze(-1) if b.dim() == 1 else b
    if a2.shape[-1] != b2.shape[-2]:
        raise ValueError(f"matmul: contracted sizes differ, {a2.shape[-1]} vs {b2.shape[-2]}")
    out = (a2.unsqueeze(-1) * b2.unsqueeze(-3)).sum(dim=-2)
    if b.dim() == 1:
        out = out.squeeze(-1)
    if a.dim() == 1:
        out = out.squeeze(0)  # the added dim is -2 (or -1 once the column is gone), not 0
    return out

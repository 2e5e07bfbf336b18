"""Batched matmul by flattening the batch: both arguments are expanded to the broadcast batch
shape and reshaped to (-1, n, k) and (-1, k, m), multiplied as one 3-D stack and reshaped
back. The documented k = 0 case is special-cased, but n = 0 or m = 0 with batch dims leaves
0 elements too, and reshape(-1, 0, 3) is ambiguous: (2, 0, 3) @ (3, 4) raises instead of
giving an empty (2, 0, 4).

Fix: broadcast the batch dims instead of flattening them ((..., n, k, 1) * (..., 1, k, m)
summed over k), or spell the batch size out (math.prod(batch)) instead of -1."""

import torch

from solutions.broadcasting import products as _reference
from solutions.broadcasting.products import *  # noqa: F401,F403 (the rest is correct)


def matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    if a.dim() <= 2 and b.dim() <= 2:
        return _reference.matmul(a, b)
    if a.dim() == 0 or b.dim() == 0:
        raise ValueError("matmul needs at least 1-D arguments")
    a2 = a.unsqueeze(0) if a.dim() == 1 else a
    b2 = b.unsqueeze(-1) if b.dim() == 1 else b
    if a2.shape[-1] != b2.shape[-2]:
        raise ValueError(f"matmul: contracted sizes differ, {a2.shape[-1]} vs {b2.shape[-2]}")
    n, k, m = a2.shape[-2], a2.shape[-1], b2.shape[-1]
    if k == 0:  # the documented empty sum
        return _reference.matmul(a, b)
    batch = torch.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
    a3 = a2.expand(*batch, n, k).reshape(-1, n, k)  # wrong: ambiguous when n = 0
    b3 = b2.expand(*batch, k, m).reshape(-1, k, m)  # wrong: ambiguous when m = 0
    out = (a3.unsqueeze(-1) * b3.unsqueeze(-3)).sum(-2).reshape(*batch, n, m)
    if a.dim() == 1:
        out = out.squeeze(-2)
    if b.dim() == 1:
        out = out.squeeze(-1)
    return out

"""Batch dims not broadcast: flattening each argument's batch dims to one dim,
reshape(-1, n, k) and reshape(-1, k, m), only works when both have the same batch (or one has
none). (2, 1, n, k) @ (5, k, m) must give (2, 5, n, m): batch dims broadcast exactly like an
elementwise op. Fix: keep the batch dims, unsqueeze to (..., n, k, 1) and (..., 1, k, m), and
let the multiply broadcast them."""

import torch

from solutions.broadcasting.products import *  # noqa: F401,F403 (the rest is correct)


def matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    if a.dim() == 0 or b.dim() == 0:
        raise ValueError("matmul needs at least 1-D arguments")
    a2 = a.unsqueeze(0) if a.dim() == 1 else a
    b2 = b.unsqueeze(-1) if b.dim() == 1 else b
    (n, k), (k2, m) = a2.shape[-2:], b2.shape[-2:]
    if k != k2:
        raise ValueError(f"matmul: contracted sizes differ, {k} vs {k2}")
    batch = a2.shape[:-2] if a2.dim() >= b2.dim() else b2.shape[:-2]
    flat_a, flat_b = a2.reshape(-1, n, k), b2.reshape(-1, k, m)  # batch dims flattened
    out = (flat_a[:, :, :, None] * flat_b[:, None, :, :]).sum(dim=-2)
    out = out.reshape(*batch, n, m)
    if a.dim() == 1:
        out = out.squeeze(-2)
    if b.dim() == 1:
        out = out.squeeze(-1)
    return out

"""Keeping the promoted dim: a 1-D argument is promoted to a row (1, k) or a column (k, 1)
for the product, and torch.matmul then removes that dim again: (k,) @ (k, m) is (m,), not
(1, m); (n, k) @ (k,) is (n,), not (n, 1); (k,) @ (k,) is a 0-d scalar. Fix: after the
product, squeeze exactly the dim you added (and only when you added it)."""

import torch

from solutions.broadcasting.products import *  # noqa: F401,F403 (the rest is correct)


def matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    if a.dim() == 0 or b.dim() == 0:
        raise ValueError("matmul needs at least 1-D arguments")
    a2 = a.unsqueeze(0) if a.dim() == 1 else a
    b2 = b.unsqueeze(-1) if b.dim() == 1 else b
    if a2.shape[-1] != b2.shape[-2]:
        raise ValueError(f"matmul: contracted sizes differ, {a2.shape[-1]} vs {b2.shape[-2]}")
    return (a2.unsqueeze(-1) * b2.unsqueeze(-3)).sum(dim=-2)  # promoted dims left in

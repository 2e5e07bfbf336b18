"""Day 2 — broadcasting/products: reference solution."""

import torch


def dot(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """(k,), (k,) -> 0-d tensor; ValueError unless both are 1-D of the same length."""
    if a.dim() != 1 or b.dim() != 1:
        raise ValueError(f"dot needs two 1-D tensors, got shapes {tuple(a.shape)} and "
                         f"{tuple(b.shape)}")
    if a.shape[0] != b.shape[0]:
        raise ValueError(f"dot: lengths differ, {a.shape[0]} vs {b.shape[0]}")
    return (a * b).sum(dtype=a.dtype)  # .sum() alone would promote int32 / int8 to int64


def matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """torch.matmul semantics: 1-D promotion and removal, batch broadcasting."""
    if a.dim() == 0 or b.dim() == 0:
        raise ValueError(f"matmul needs at least 1-D arguments, got shapes "
                         f"{tuple(a.shape)} and {tuple(b.shape)}")
    a2 = a.unsqueeze(0) if a.dim() == 1 else a  # a row (1, k)
    b2 = b.unsqueeze(-1) if b.dim() == 1 else b  # a column (k, 1)
    if a2.shape[-1] != b2.shape[-2]:
        raise ValueError(f"matmul: contracted sizes differ, {a2.shape[-1]} vs {b2.shape[-2]} "
                         f"(shapes {tuple(a.shape)} and {tuple(b.shape)})")
    # (..., n, k, 1) * (..., 1, k, m) -> (..., n, k, m), batch dims broadcast; sum over k.
    out = (a2.unsqueeze(-1) * b2.unsqueeze(-3)).sum(dim=-2)
    if a.dim() == 1:
        out = out.squeeze(-2)  # remove the row dim we added
    if b.dim() == 1:
        out = out.squeeze(-1)  # remove the column dim we added
    return out

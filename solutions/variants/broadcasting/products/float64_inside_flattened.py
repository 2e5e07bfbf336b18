"""Promote everything to 4-D-ish broadcast form, accumulate the product in float64 (then cast back), and remove the promoted dims by indexing."""

import torch


def dot(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    if a.dim() != 1 or b.dim() != 1 or a.shape != b.shape:
        raise ValueError(f"dot needs two 1-D tensors of one length: {tuple(a.shape)}, {tuple(b.shape)}")
    if not a.is_floating_point():
        return (a * b).sum(dtype=a.dtype)
    return (a.double() * b.double()).sum().to(a.dtype)


def matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    if a.dim() == 0 or b.dim() == 0:
        raise ValueError(f"matmul: 0-d argument ({tuple(a.shape)}, {tuple(b.shape)})")
    a2 = a[None, :] if a.dim() == 1 else a
    b2 = b[:, None] if b.dim() == 1 else b
    if a2.shape[-1] != b2.shape[-2]:
        raise ValueError(f"matmul: {a2.shape[-1]} vs {b2.shape[-2]}")
    prod = a2.double()[..., :, :, None] * b2.double()[..., None, :, :]  # (..., n, k, m)
    out = prod.sum(-2).to(a.dtype)
    if a.dim() == 1:
        out = out[..., 0, :]
    if b.dim() == 1:
        out = out[..., 0]
    return out

"""A float32 output buffer: out = torch.zeros(*batch, n, m) and then adding the k rank-1
terms a[..., :, i] * b[..., i, :] works for float32 and float64 (float32 zeros + float64
terms promote to float64), but torch.zeros without dtype is float32, and float32 + float16
is float32: matmul of two float16 (or bfloat16) tensors comes back as float32, doubling the
memory of every activation downstream.

Fix: torch.zeros(..., dtype=a.dtype, device=a.device), or no buffer at all:
(a[..., :, :, None] * b[..., None, :, :]).sum(-2)."""

import torch

from solutions.broadcasting.products import *  # noqa: F401,F403 (the rest is correct)


def matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    if a.dim() == 0 or b.dim() == 0:
        raise ValueError("matmul needs at least 1-D arguments")
    a2 = a.unsqueeze(0) if a.dim() == 1 else a
    b2 = b.unsqueeze(-1) if b.dim() == 1 else b
    if a2.shape[-1] != b2.shape[-2]:
        raise ValueError(f"matmul: contracted sizes differ, {a2.shape[-1]} vs {b2.shape[-2]}")
    batch = torch.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
    out = torch.zeros(*batch, a2.shape[-2], b2.shape[-1])  # float32, whatever a is
    for i in range(a2.shape[-1]):
        out = out + a2[..., :, i:i + 1] * b2[..., i:i + 1, :]
    if a.dim() == 1:
        out = out.squeeze(-2)
    if b.dim() == 1:
        out = out.squeeze(-1)
    return out

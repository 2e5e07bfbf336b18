"""A sum over k started from the first term: out = a[..., :, 0:1] * b[..., 0:1, :] and then
adding terms 1 .. k-1 needs k >= 1; for k = 0 (an empty contraction, which torch.matmul
answers with zeros) the first "term" has a size-0 dim and the result has the wrong shape or
the broadcast fails. Empty dims are allowed by the contract.

Fix: start from zeros of the output shape (dtype=a.dtype), or let .sum over the k dim do it:
an empty sum is 0."""

import torch

from solutions.broadcasting.products import *  # noqa: F401,F403 (the rest is correct)


def matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    if a.dim() == 0 or b.dim() == 0:
        raise ValueError("matmul needs at least 1-D arguments")
    a2 = a.unsqueeze(0) if a.dim() == 1 else a
    b2 = b.unsqueeze(-1) if b.dim() == 1 else b
    k = a2.shape[-1]
    if k != b2.shape[-2]:
        raise ValueError(f"matmul: contracted sizes differ, {k} vs {b2.shape[-2]}")
    out = a2[..., :, 0:1] * b2[..., 0:1, :]  # assumes k >= 1
    for i in range(1, k):
        out = out + a2[..., :, i:i + 1] * b2[..., i:i + 1, :]
    if a.dim() == 1:
        out = out.squeeze(-2)
    if b.dim() == 1:
        out = out.squeeze(-1)
    return out

"""1-D @ 2-D treated as a column vector: multiplying b by the vector along b's last dim and
summing there, (b * a).sum(-1), is b @ a, the matrix-vector product with the roles swapped.
For a square b the shape is even right, but the values are wrong. torch.matmul promotes a 1-D
LEFT argument to a row (1, k): a @ b = sum_k a[k] * b[k, :], shape (m,). Fix: a.unsqueeze(0)
(or a[:, None] * b summed over dim -2), then remove the added dim."""

import torch

from solutions.broadcasting.products import *  # noqa: F401,F403 (the rest is correct)
from solutions.broadcasting.products import matmul as _correct_matmul


def matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    if a.dim() == 1 and b.dim() >= 2:
        if a.shape[0] != b.shape[-2]:
            raise ValueError(f"matmul: contracted sizes differ, {a.shape[0]} vs {b.shape[-2]}")
        return (b * a).sum(dim=-1)  # a used as a column: this is b @ a
    return _correct_matmul(a, b)

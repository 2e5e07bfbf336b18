"""Batched @ 1-D by flattening the batch: a (..., n, k) @ (k,) is computed as the matrix
a.reshape(-1, k) times the column, then reshaped back to (..., n). Right for every k > 0, but
at k = 0 the tensor has 0 elements and reshape(-1, 0) is ambiguous: (2, 3, 0) @ (0,) raises
instead of giving zeros of shape (2, 3).

Fix: broadcast instead of flattening ((..., n, k, 1) * (k, 1) summed over k), or spell the
flattened size out (a.reshape(math.prod(a.shape[:-1]), k))."""

import torch

from solutions.broadcasting import products as _reference
from solutions.broadcasting.products import *  # noqa: F401,F403 (the rest is correct)


def matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    if b.dim() == 1 and a.dim() > 2:
        k = a.shape[-1]
        if b.shape[0] != k:
            raise ValueError(f"matmul: contracted sizes differ, {k} vs {b.shape[0]}")
        return _reference.matmul(a.reshape(-1, k), b).reshape(a.shape[:-1])  # wrong at k = 0
    return _reference.matmul(a, b)

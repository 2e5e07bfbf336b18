"""A float32 accumulator: total = torch.zeros(()) then total = total + a[i] * b[i] looks
dtype-neutral, but torch.zeros(()) is float32, and a 0-d float32 plus a 0-d float16 (or
int64) product is float32: dot of two float16 or int64 vectors comes back as float32. (With
float64 inputs the promotion hides it.) The result must keep the inputs' dtype.

Fix: (a * b).sum(), or torch.zeros((), dtype=a.dtype)."""

import torch

from solutions.broadcasting.products import *  # noqa: F401,F403 (the rest is correct)


def dot(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    if a.dim() != 1 or b.dim() != 1 or a.shape[0] != b.shape[0]:
        raise ValueError(f"dot needs two 1-D tensors of one length, got {tuple(a.shape)} and "
                         f"{tuple(b.shape)}")
    total = torch.zeros(())  # float32, whatever a is
    for i in range(a.shape[0]):
        total = total + a[i] * b[i]
    return total

"""Shortcuts for 1-D arguments without the size check: 1-D @ 1-D as (a * b).sum(), 1-D @ 2-D
as (a[:, None] * b).sum(-2) and 2-D @ 1-D as (a * b).sum(-1) are the right formulas, but each
multiply broadcasts a size of 1 against any k, so (1,) @ (3,), (1,) @ (2, 3, 4) and
(2, 1) @ (3,) return numbers instead of failing. The general path checked k; the shortcuts
skipped it.

Fix: check the contracted sizes once, before choosing a path."""

import torch

from solutions.broadcasting.products import *  # noqa: F401,F403 (the rest is correct)
from solutions.broadcasting.products import matmul as _correct_matmul


def matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    if a.dim() == 1 and b.dim() == 1:
        return (a * b).sum()
    if a.dim() == 1 and b.dim() >= 2:
        return (a[:, None] * b).sum(-2)
    if a.dim() >= 2 and b.dim() == 1:
        return (a * b).sum(-1)
    return _correct_matmul(a, b)

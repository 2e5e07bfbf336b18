"""dot checking only that the shapes are equal: `if a.shape != b.shape: raise` rejects
(3,) against (4,), but lets two (2, 3) matrices (or two 0-d scalars) through, and (a * b).sum()
then returns the sum over a whole matrix, a Frobenius product that torch.dot refuses. Equal
shapes are not the contract: both must be 1-D.

Fix: check a.dim() == 1 and b.dim() == 1 first, then the lengths; raise ValueError."""

import torch

from solutions.broadcasting.products import *  # noqa: F401,F403 (the rest is correct)


def dot(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    if a.shape != b.shape:  # 2-D and 0-d pairs slip through
        raise ValueError(f"dot: shapes differ, {tuple(a.shape)} vs {tuple(b.shape)}")
    return (a * b).sum()

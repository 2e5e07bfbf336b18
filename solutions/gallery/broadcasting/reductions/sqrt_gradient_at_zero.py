"""A hand-rolled norm whose gradient is NaN at a zero vector: (x * x).sum(dim).sqrt() gives
the right forward values, and clamp_min(eps) keeps the division finite, but in the backward
the clamp passes 0 to sqrt, whose derivative at 0 is 1 / (2 * 0) = inf, and 0 * inf = NaN.
One all-zero row (padding, a dead feature) then fills the whole gradient with NaN, where
F.normalize gives a finite grad / eps.

Fix: torch.linalg.vector_norm(x, dim=dim, keepdim=True) (its backward is 0 at 0), or
(x * x).sum(dim, keepdim=True).clamp_min(eps * eps).sqrt()."""

import torch

from solutions.broadcasting.reductions import *  # noqa: F401,F403 (the rest is correct)


def normalize(x: torch.Tensor, dim: int = -1, eps: float = 1e-12) -> torch.Tensor:
    norm = (x * x).sum(dim=dim, keepdim=True).sqrt()  # d sqrt / d s at s = 0 is inf
    return x / norm.clamp_min(eps)

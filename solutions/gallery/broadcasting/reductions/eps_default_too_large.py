"""Defaults eps to 1e-8 (a "usual" epsilon) instead of the promised 1e-12.

Every test that passes eps explicitly, or uses vectors of ordinary length, still passes; but
normalize(x) on a vector of norm 1e-10 divides by 1e-8 and returns a vector of norm 0.01
instead of a unit vector (F.normalize's default eps is 1e-12).

Fix: def normalize(x, dim=-1, eps=1e-12), the default the docstring states."""

import torch

from solutions.broadcasting.reductions import *  # noqa: F401,F403 (the rest is correct)


def normalize(x: torch.Tensor, dim: int = -1, eps: float = 1e-8) -> torch.Tensor:
    norm = torch.linalg.vector_norm(x, ord=2, dim=dim, keepdim=True)
    return x / norm.clamp_min(eps)

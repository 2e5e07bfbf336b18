"""eps=0.0 read as "not given": `eps = eps or 1e-12` replaces an explicit 0.0 with the
default, so normalize(x, dim, eps=0.0) still clamps the norm at 1e-12, and a vector of norm
5e-14 comes out with norm 0.05 instead of 1. 0.0 is a value, not a missing argument.

Fix: use eps as given (the signature already holds the default); test `is None` if a
sentinel is ever needed."""

import torch

from solutions.broadcasting.reductions import *  # noqa: F401,F403 (the rest is correct)


def normalize(x: torch.Tensor, dim: int = -1, eps: float = 1e-12) -> torch.Tensor:
    eps = eps or 1e-12  # 0.0 becomes 1e-12
    norm = torch.linalg.vector_norm(x, dim=dim, keepdim=True)
    return x / norm.clamp_min(eps)

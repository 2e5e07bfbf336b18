"""Clamps the norm against torch.full(norm.shape, eps, dtype=x.dtype), built without device=:
right on CPU inputs, but that helper is a CPU tensor, and on a GPU input torch.maximum fails
(the contract says results live on the inputs' device: build any helper tensor there).

Fix: norm.clamp_min(eps) (a Python float needs no tensor), or torch.full_like(norm, eps).
"""

import torch

from solutions.broadcasting.reductions import *  # noqa: F401,F403 (the rest is correct)


def normalize(x: torch.Tensor, dim: int = -1, eps: float = 1e-12) -> torch.Tensor:
    norm = torch.linalg.vector_norm(x, ord=2, dim=dim, keepdim=True)
    return x / torch.maximum(norm, torch.full(norm.shape, eps, dtype=x.dtype))

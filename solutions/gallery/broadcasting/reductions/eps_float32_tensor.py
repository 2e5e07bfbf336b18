"""Clamps the norm against torch.tensor(eps, device=x.device), a float32 scalar: for float64
x the rows shorter than eps are divided by 9.9999998e-13, not 1e-12 (off by 2e-8, relative),
so float64 is not computed in float64.

Fix: norm.clamp_min(eps) (a Python float needs no tensor), or torch.full_like(norm, eps).
"""

import torch

from solutions.broadcasting.reductions import *  # noqa: F401,F403 (the rest is correct)


def normalize(x: torch.Tensor, dim: int = -1, eps: float = 1e-12) -> torch.Tensor:
    norm = torch.linalg.vector_norm(x, ord=2, dim=dim, keepdim=True)
    return x / torch.maximum(norm, torch.tensor(eps, device=x.device))

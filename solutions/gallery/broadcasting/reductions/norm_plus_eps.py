"""eps added instead of clamped: x / (norm + eps) avoids the division by zero, but it is
not F.normalize's rule, x / max(norm, eps), and it shrinks every vector a little (with
eps=0.5 a norm-3 vector comes out with norm 0.86). Clamp the norm from below:
norm.clamp_min(eps)."""

import torch

from solutions.broadcasting.reductions import *  # noqa: F401,F403 (the rest is correct)


def normalize(x: torch.Tensor, dim: int = -1, eps: float = 1e-12) -> torch.Tensor:
    norm = (x * x).sum(dim=dim, keepdim=True).sqrt()
    return x / (norm + eps)

"""inf-norm taken as g.max() instead of g.abs().max(): right when the largest-magnitude
gradient entry is positive, but for all-negative gradients the "norm" is the entry closest
to 0 (or negative), so the clip coefficient is wrong. The inf-norm is the largest |value|:
torch.linalg.vector_norm(g, float("inf"))."""

from typing import Iterable

import torch

from solutions.optim.adam import *  # noqa: F401,F403 (the rest is correct)


def clip_grad_norm_(parameters: torch.Tensor | Iterable[torch.Tensor], max_norm: float,
                    norm_type: float = 2.0) -> torch.Tensor:
    if isinstance(parameters, torch.Tensor):
        parameters = [parameters]
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return torch.tensor(0.0)
    if norm_type == float("inf"):
        norms = torch.stack([g.max() for g in grads])  # no abs
    else:
        norms = torch.stack([torch.linalg.vector_norm(g, norm_type) for g in grads])
    total = torch.linalg.vector_norm(norms, norm_type)
    clip_coef = (max_norm / (total + 1e-6)).clamp(max=1.0)
    for g in grads:
        g.mul_(clip_coef.to(g.dtype))
    return total

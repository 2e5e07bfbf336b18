"""Clip coefficient applied only `if total_norm > max_norm`: torch multiplies by
min(max_norm / (total_norm + 1e-6), 1) every time, and that is below 1 at max_norm and just
under it (by up to 1e-6), so for tiny norms (max_norm ~ 1e-6) torch shrinks the gradients
and this leaves them alone. Multiply every gradient by the clamped coefficient, no test."""

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
    norms = torch.stack([torch.linalg.vector_norm(g, norm_type) for g in grads])
    total = torch.linalg.vector_norm(norms, norm_type)
    if total > max_norm:  # skips the coefficient at and just under max_norm
        clip_coef = max_norm / (total + 1e-6)
        for g in grads:
            g.mul_(clip_coef.to(g.dtype))
    return total

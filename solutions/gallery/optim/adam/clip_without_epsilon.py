"""Clip coefficient max_norm / total_norm without the + 1e-6: it divides by zero when every
gradient is zero, and differs from torch.nn.utils.clip_grad_norm_ when the total norm is tiny.
torch uses min(max_norm / (total_norm + 1e-6), 1)."""

from typing import Iterable

import torch

from solutions.optim.adam import *  # noqa: F401,F403 (the rest is correct)


def clip_grad_norm_(parameters: torch.Tensor | Iterable[torch.Tensor], max_norm: float,
                    norm_type: float = 2.0) -> torch.Tensor:
    if isinstance(parameters, torch.Tensor):
        parameters = [parameters]
    grads = [p.grad for p in parameters if p.grad is not None]
    total = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g, norm_type) for g in grads]),
                                     norm_type)
    clip_coef = (max_norm / total).clamp(max=1.0)
    for g in grads:
        g.mul_(clip_coef)
    return total

"""The parameters iterated twice: once to measure the norm, once to scale. When `parameters`
is a generator (model.parameters(), the usual call) the second loop sees nothing, so the
norm is returned but no gradient is clipped. Turn it into a list first."""

from typing import Iterable

import torch

from solutions.optim.adam import *  # noqa: F401,F403 (the rest is correct)


def clip_grad_norm_(parameters: torch.Tensor | Iterable[torch.Tensor], max_norm: float,
                    norm_type: float = 2.0) -> torch.Tensor:
    if isinstance(parameters, torch.Tensor):
        parameters = [parameters]
    norms = [torch.linalg.vector_norm(p.grad, norm_type) for p in parameters if p.grad is not None]
    total = torch.linalg.vector_norm(torch.stack(norms), norm_type)
    clip_coef = (max_norm / (total + 1e-6)).clamp(max=1.0)
    for p in parameters:
        if p.grad is not None:
            p.grad.mul_(clip_coef)
    return total

"""clip_grad_norm_ that assigns p.grad = p.grad * clip_coef instead of scaling in place: the
values are right, but anything holding the old gradient tensor (gradient hooks, DDP buckets,
a reference taken before clipping) still sees the unclipped gradient, and the trailing
underscore promises an in-place operation.

Fix: p.grad.mul_(clip_coef).
"""

import torch

from solutions.optim.adam import *  # noqa: F401,F403 (the rest is correct)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0):
    if isinstance(parameters, torch.Tensor):
        parameters = [parameters]
    params = [p for p in parameters if p.grad is not None]
    if not params:
        return torch.tensor(0.0)
    total = torch.linalg.vector_norm(
        torch.stack([torch.linalg.vector_norm(p.grad, norm_type) for p in params]), norm_type)
    coef = (max_norm / (total + 1e-6)).clamp(max=1.0)
    for p in params:
        p.grad = p.grad * coef.to(p.grad.dtype)
    return total

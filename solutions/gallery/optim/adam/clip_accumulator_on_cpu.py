"""clip_grad_norm_ that sums |g|^p into torch.zeros((), dtype=...) made without a device: the
accumulator lives on the CPU, so with gradients on a GPU the in-place += raises a device
mismatch (and the returned norm would be on the CPU, not on the gradients' device).

Fix: start from a Python 0.0 (the first += makes a tensor on the gradients' device), or
torch.stack the per-tensor norms and take their norm.
"""

import torch

from solutions.optim.adam import *  # noqa: F401,F403 (the rest is correct)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0):
    if isinstance(parameters, torch.Tensor):
        parameters = [parameters]
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return torch.tensor(0.0)
    if norm_type == float("inf"):
        total = torch.stack([g.abs().max() for g in grads]).max()
    else:
        acc = torch.zeros((), dtype=grads[0].dtype)
        for g in grads:
            acc += g.abs().pow(norm_type).sum()
        total = acc ** (1.0 / norm_type)
    clip_coef = (max_norm / (total + 1e-6)).clamp(max=1.0)
    for g in grads:
        g.mul_(clip_coef)
    return total

"""clip_grad_norm_ that takes the coefficient as a Python float and wraps it with
torch.tensor(min(...)): the coefficient is float32, so float64 gradients are scaled by a
rounded factor (off by up to 6e-8 relative), where torch scales them in float64.

Fix: compute clip_coef from the total norm tensor, in the gradients' dtype:
(max_norm / (total + 1e-6)).clamp(max=1.0).
"""

import torch

from solutions.optim.adam import *  # noqa: F401,F403 (the rest is correct)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0):
    if isinstance(parameters, torch.Tensor):
        parameters = [parameters]
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return torch.tensor(0.0)
    norms = torch.stack([torch.linalg.vector_norm(g, norm_type) for g in grads])
    total = torch.linalg.vector_norm(norms, norm_type)
    coef = torch.tensor(min(max_norm / (float(total) + 1e-6), 1.0))
    for g in grads:
        g.mul_(coef.to(g.dtype))
    return total

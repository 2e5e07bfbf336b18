"""clip_grad_norm_ that concatenates all gradients with .float() to take one norm: for bfloat16
(or float64) gradients the returned total norm is float32, not the gradients' dtype as the
contract (and torch) say, and float64 gradients lose precision in the norm.

Fix: take each gradient's norm in its own dtype (torch.linalg.vector_norm(g, norm_type)) and
combine those.
"""

import torch

from solutions.optim.adam import *  # noqa: F401,F403 (the rest is correct)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0):
    if isinstance(parameters, torch.Tensor):
        parameters = [parameters]
    grads = [p.grad for p in parameters if p.grad is not None]
    if not grads:
        return torch.tensor(0.0)
    total = torch.linalg.vector_norm(torch.cat([g.reshape(-1).float() for g in grads]), norm_type)
    coef = (max_norm / (total + 1e-6)).clamp(max=1.0)
    for g in grads:
        g.mul_(coef.to(g.dtype))
    return total

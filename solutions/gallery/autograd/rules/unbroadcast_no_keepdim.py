"""unbroadcast that drops the stretched size-1 dims: summing (3, 4) over dim 1 without
keepdim gives (3,), not the input's (3, 1). The gradient must have exactly the input's shape:
sum with keepdim=True."""

import torch

from solutions.autograd.rules import *  # noqa: F401,F403 (the rest is correct)


def unbroadcast(grad, shape):
    shape = tuple(shape)
    added = grad.dim() - len(shape)
    if added:
        grad = grad.sum(dim=tuple(range(added)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(dim=stretched)
    return grad

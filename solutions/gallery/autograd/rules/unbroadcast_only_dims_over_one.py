"""unbroadcast that treats a dim as stretched only when grad's size there is > 1: broadcasting
a size-1 dim against a size-0 dim gives size 0, so grad (0,) for shape (1,) must sum to a
(1,) tensor of zeros; this version returns shape (0,), and the gradient no longer fits its
input.

Fix: a dim is stretched when shape[i] == 1 and grad.shape[i] != 1 (0 included)."""

import torch

from solutions.autograd.rules import *  # noqa: F401,F403 (the rest is correct)


def unbroadcast(grad, shape):
    shape = tuple(shape)
    added = grad.dim() - len(shape)
    if added:
        grad = grad.sum(dim=tuple(range(added)))
    for i, n in enumerate(shape):
        if n == 1 and grad.shape[i] > 1:
            grad = grad.sum(dim=i, keepdim=True)
    return grad

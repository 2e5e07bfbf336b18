"""unbroadcast that only removes the leading dims: summing away the dims broadcasting added in
front handles (2, 3, 4) -> (3, 4), but not a dim that was 1 and got stretched, as in
(3, 4) -> (3, 1). Those must be summed too, with keepdim=True so the size-1 dim stays."""

import torch

from solutions.autograd.rules import *  # noqa: F401,F403 (the rest is correct)


def unbroadcast(grad, shape):
    added = grad.dim() - len(shape)
    if added:
        grad = grad.sum(dim=tuple(range(added)))
    return grad

"""unbroadcast that returns its sum added into torch.zeros(shape, dtype=grad.dtype): without
device= the zeros live on the CPU, so on a GPU the gradient lands on the wrong device (or the
add fails). Sum grad itself, or build helpers with device=grad.device."""

import torch

from solutions.autograd.rules import *  # noqa: F401,F403 (the rest is correct)


def unbroadcast(grad, shape):
    shape = tuple(shape)
    added = grad.dim() - len(shape)
    if added:
        grad = grad.sum(dim=tuple(range(added)))
    stretched = tuple(i for i, n in enumerate(shape) if n == 1 and grad.shape[i] != 1)
    if stretched:
        grad = grad.sum(dim=stretched, keepdim=True)
    return torch.zeros(shape, dtype=grad.dtype).add_(grad)

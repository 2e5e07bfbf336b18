"""dot that reads "k = 0 gives 0" as a special case and returns a fresh
torch.zeros((), dtype=a.dtype): the value and dtype are right, but the result is not
attached to a and b's graph, so a loss built on it cannot be backpropagated.

Fix: no special case: (a * b).sum() of empty vectors is already 0, of the inputs' dtype and
with a graph."""

import torch

from solutions.broadcasting import products as _reference
from solutions.broadcasting.products import *  # noqa: F401,F403 (the rest is correct)


def dot(a, b):
    if a.dim() == 1 and b.dim() == 1 and a.shape[0] == b.shape[0] == 0:
        return torch.zeros((), dtype=a.dtype)  # an empty sum
    return _reference.dot(a, b)

"""mean that special-cases a size-0 dim ("0 / 0 gives NaN") with torch.full(shape, nan): the
shape and the NaNs are right, but torch.full without dtype= is float32 (a float64 or
bfloat16 x gets a float32 mean), and the result is not attached to x's graph.

Fix: no special case: x.sum(dim, keepdim) / x.shape[dim] already gives 0 / 0 = NaN there,
in x's dtype and with a graph."""

import torch

from solutions.broadcasting import reductions as _reference
from solutions.broadcasting.reductions import *  # noqa: F401,F403 (the rest is correct)


def mean(x, dim=-1, keepdim=False):
    if x.shape[dim] == 0:  # nothing to average: NaN, as torch.mean
        shape = list(x.shape)
        if keepdim:
            shape[dim] = 1
        else:
            shape.pop(dim)
        return torch.full(shape, float("nan"))
    return _reference.mean(x, dim, keepdim)

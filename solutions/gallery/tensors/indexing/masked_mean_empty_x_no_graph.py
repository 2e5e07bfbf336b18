"""Answers an x with no elements (a size-0 dim anywhere) with fresh x.new_zeros of the reduced
shape: the values (0 for every empty slice) and dtype are right, but the result is not on x's
graph, so backward through it fails ("does not require grad"). The contract makes masked_mean
differentiable, empty slices included.

Fix: no special case: the masked sum (0) over the clamped count (1) already gives zeros there,
on the graph.
"""

import torch

from solutions.tensors.indexing import masked_mean as _masked_mean
from solutions.tensors.indexing import *  # noqa: F401,F403 (the rest is correct)


def masked_mean(x: torch.Tensor, mask: torch.Tensor, dim: int) -> torch.Tensor:
    if x.numel() == 0:
        shape = list(x.shape)
        del shape[dim]
        return x.new_zeros(shape)
    return _masked_mean(x, mask, dim)

"""Takes a shortcut for a size-1 `dim` (the mean of one value is that value) that returns
x.squeeze(dim) whatever keepdim says: with keepdim=True the dim is gone, and the result no
longer broadcasts back against x as it should.

Fix: no shortcut (x.sum(dim, keepdim=keepdim) / x.shape[dim] is right for size 1 too), or
honour keepdim in it.
"""

import torch

from solutions.broadcasting.reductions import *  # noqa: F401,F403 (the rest is correct)


def mean(x: torch.Tensor, dim: int = -1, keepdim: bool = False) -> torch.Tensor:
    if x.shape[dim] == 1:
        return x.squeeze(dim).clone()
    return x.sum(dim=dim, keepdim=keepdim) / x.shape[dim]

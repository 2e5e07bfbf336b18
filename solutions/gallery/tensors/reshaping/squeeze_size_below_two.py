"""Guards with `if x.shape[dim] > 1: return x`, so a size-0 dim is dropped as if it were size 1.

A size-0 dim (an empty batch, no tokens yet) holds no entries; removing it changes the shape
the caller relies on, e.g. (0, 3) becomes (3,). The contract: only a dim of size exactly 1 goes.

Fix: test x.shape[dim] == 1 (or call x.squeeze(dim), which does exactly that)."""

import torch

from solutions.tensors.reshaping import *  # noqa: F401,F403 (the rest is correct)


def squeeze_dim(x: torch.Tensor, dim: int) -> torch.Tensor:
    if x.shape[dim] > 1:
        return x
    shape = list(x.shape)
    del shape[dim]
    return x.reshape(shape)

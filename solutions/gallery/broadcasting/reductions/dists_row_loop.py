"""One row at a time: torch.stack([((a[i] - b) ** 2).sum(-1) for i in range(N)]) gives the
right values, but torch.stack of an empty list raises for N = 0 (an empty query batch),
and a Python loop over rows is N separate kernel launches. The contract allows N, M or
D = 0.

Fix: broadcast once, a[:, None, :] - b[None, :, :], and sum over the last dim: empty sizes
then need no special case."""

import torch

from solutions.broadcasting.reductions import *  # noqa: F401,F403 (the rest is correct)


def pairwise_sq_dists(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return torch.stack([((a[i] - b) ** 2).sum(-1) for i in range(a.shape[0])])

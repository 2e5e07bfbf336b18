"""Builds the mask from nested Python lists with torch.tensor: for n = 0 the empty list
becomes a (0,) float32 tensor, not a (0, 0) bool one, so code that indexes or combines masks
breaks on an empty sequence.

Fix: build it from tensors, torch.arange(n)[:, None] >= torch.arange(n), or
torch.ones(n, n, dtype=torch.bool).tril().
"""

import torch

from solutions.tensors.creation import *  # noqa: F401,F403 (the rest is correct)


def causal_mask(n: int) -> torch.Tensor:
    return torch.tensor([[j <= i for j in range(n)] for i in range(n)])

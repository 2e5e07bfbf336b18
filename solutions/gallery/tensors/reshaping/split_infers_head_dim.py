"""Splits with view(B, T, n_heads, -1): with B or T = 0 the -1 cannot be inferred and view raises.

The values are right for every non-empty input, but an empty batch or sequence has 0
elements, so any size fits the -1 and torch refuses ("can be any value and is ambiguous").
The contract says B and T may be 0.

Fix: compute D = C // n_heads and pass it: x.view(B, T, n_heads, D).transpose(1, 2), or
x.unflatten(-1, (n_heads, -1)), which infers from C alone."""

import torch

from solutions.tensors.reshaping import *  # noqa: F401,F403 (the rest is correct)


def split_heads(x: torch.Tensor, n_heads: int) -> torch.Tensor:
    B, T, C = x.shape
    return x.view(B, T, n_heads, -1).transpose(1, 2)

"""Views (B, T, C) straight as (B, H, T, D): the shape is right, the heads are wrong.

Memory holds position 0's C channels, then position 1's, ... A view to (B, H, T, D) just
re-reads that buffer, so "head 0" gets the first T*D numbers: all of position 0, then all of
position 1, and so on — heads end up mixing positions. Split the channel dim where it lives,
view(B, T, H, D), then swap H and T with transpose(1, 2)."""

import torch

from solutions.tensors.reshaping import *  # noqa: F401,F403 (the rest is correct)


def split_heads(x: torch.Tensor, n_heads: int) -> torch.Tensor:
    B, T, C = x.shape
    return x.view(B, n_heads, T, C // n_heads)

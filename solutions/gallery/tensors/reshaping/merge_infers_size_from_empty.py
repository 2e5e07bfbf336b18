"""Merges with reshape(B, T, -1): an empty batch or sequence raises instead of giving (B, T, H*D).

torch infers -1 by dividing the element count by the other sizes; with B or T = 0 there are no
elements, any size would fit, and reshape raises "the unspecified dimension size -1 can be any
value and is ambiguous". The contract says B and T may be 0 (an empty batch, a sequence
before its first token).

Fix: spell out every size, reshape(B, T, H * D), or flatten(2) after the transpose."""

import torch

from solutions.tensors.reshaping import *  # noqa: F401,F403 (the rest is correct)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    B, H, T, D = x.shape
    return x.transpose(1, 2).reshape(B, T, -1)

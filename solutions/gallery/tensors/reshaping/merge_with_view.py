"""Merges with view after the transpose: RuntimeError on a non-contiguous tensor.

After transpose(1, 2) the (B, T, H, D) tensor is a strided view of the (B, H, T, D) buffer:
H and D are not adjacent in memory, so no view can fuse them and torch raises "view size is
not compatible with input tensor's size and stride". Use reshape (it copies only when it must)
or .contiguous().view(...)."""

import torch

from solutions.tensors.reshaping import *  # noqa: F401,F403 (the rest is correct)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    B, H, T, D = x.shape
    return x.transpose(1, 2).view(B, T, H * D)

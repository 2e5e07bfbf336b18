"""Preallocates the merged output with torch.empty(..., dtype=x.dtype) but no device.

The buffer is always on the CPU: for x on a GPU, the copy into it crosses devices and the
result comes back on the wrong device (the meta device in the spec shows it without a GPU).
The contract says every output keeps its input's device.

Fix: x.new_empty(B, T, H * D) (same dtype and device), or no buffer at all:
x.transpose(1, 2).reshape(B, T, H * D)."""

import torch

from solutions.tensors.reshaping import *  # noqa: F401,F403 (the rest is correct)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    B, H, T, D = x.shape
    out = torch.empty(B, T, H * D, dtype=x.dtype)
    for h in range(H):
        out[:, :, h * D:(h + 1) * D] = x[:, h]
    return out

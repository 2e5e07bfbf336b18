"""Answers an empty x with torch.empty(B, T, H * D): float32 and on the CPU, whatever x's dtype
and device. Only an empty batch or sequence takes the shortcut, so every non-empty check
passes; the transpose/reshape path already handles empty sizes.

Fix: drop the shortcut, or build it with x.new_empty(B, T, H * D)."""

import torch

from solutions.tensors.reshaping import *  # noqa: F401,F403 (the rest is correct)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    B, H, T, D = x.shape
    if x.numel() == 0:
        return torch.empty(B, T, H * D)
    return x.transpose(1, 2).reshape(B, T, H * D)

"""Answers an empty x with torch.empty(B, H, T, D, dtype=x.dtype): right shape and dtype, but on
the CPU. The shortcut for empty inputs (B or T = 0) forgets device=x.device, so an empty batch
on a GPU comes back on the CPU; the view/transpose path already handles empty sizes.

Fix: drop the shortcut, or build it with x.new_empty(B, H, T, D)."""

import torch

from solutions.tensors.reshaping import *  # noqa: F401,F403 (the rest is correct)


def split_heads(x: torch.Tensor, n_heads: int) -> torch.Tensor:
    B, T, C = x.shape
    if x.numel() == 0:
        return torch.empty(B, n_heads, T, C // n_heads, dtype=x.dtype)
    return x.view(B, T, n_heads, C // n_heads).transpose(1, 2)

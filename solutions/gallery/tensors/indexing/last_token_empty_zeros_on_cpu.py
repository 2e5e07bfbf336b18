"""Answers an empty x (B or C = 0) with torch.zeros(B, C, dtype=x.dtype): on the CPU.

The shortcut has the right shape and dtype but no device=x.device, so an empty batch on a
GPU comes back on the CPU; the indexing path already handles empty sizes.

Fix: drop the shortcut, or build it with x.new_zeros(B, C)."""

import torch

from solutions.tensors.indexing import *  # noqa: F401,F403 (the rest is correct)


def last_token(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    if x.numel() == 0:
        return torch.zeros(x.shape[0], x.shape[2], dtype=x.dtype)
    rows = torch.arange(x.shape[0], device=x.device)
    return x[rows, lengths - 1]

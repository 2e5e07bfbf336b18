"""Answers an empty x (B or C = 0) with torch.empty(B, C): float32 (and on the CPU) whatever
x's dtype, so a float64 or float16 empty batch changes dtype; every non-empty input is right.

Fix: drop the shortcut (x[rows, lengths - 1] handles empty sizes), or use x.new_empty(B, C)."""

import torch

from solutions.tensors.indexing import *  # noqa: F401,F403 (the rest is correct)


def last_token(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    if x.numel() == 0:
        return torch.empty(x.shape[0], x.shape[2])
    rows = torch.arange(x.shape[0], device=x.device)
    return x[rows, lengths - 1]

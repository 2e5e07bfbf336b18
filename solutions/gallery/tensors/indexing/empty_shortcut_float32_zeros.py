"""Returns torch.zeros(B, K, C) for an empty input "to skip the indexing": float32, on the CPU.

The shortcut is only taken when B, K or C is 0, so every non-empty check passes; but the
result must keep x's dtype (a float64 or float16 x gives float32 here) and live on x's
device (a GPU x gets a CPU result). The indexing itself already handles empty sizes.

Fix: drop the shortcut (x[rows, idx] returns the empty (B, K, C) tensor), or build it with
x.new_zeros(B, K, C)."""

import torch

from solutions.tensors.indexing import *  # noqa: F401,F403 (the rest is correct)


def gather_rows(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    if x.numel() == 0 or idx.numel() == 0:
        return torch.zeros(idx.shape[0], idx.shape[1], x.shape[2])
    rows = torch.arange(x.shape[0], device=x.device)[:, None]
    return x[rows, idx]

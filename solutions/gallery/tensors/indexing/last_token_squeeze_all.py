"""Gathers position lengths - 1 and then calls .squeeze() with no dim.

torch.gather(x, 1, ...) gives (B, 1, C) and the size-1 T dim must go, but a bare .squeeze()
also drops B when B = 1 and C when C = 1, so the result is (C,), (B,) or a 0-dim tensor
instead of (B, C).

Fix: name the dim: .squeeze(1) (or index x[torch.arange(B), lengths - 1] directly)."""

import torch

from solutions.tensors.indexing import *  # noqa: F401,F403 (the rest is correct)


def last_token(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    B, _, C = x.shape
    return torch.gather(x, 1, (lengths - 1)[:, None, None].expand(B, 1, C)).squeeze()

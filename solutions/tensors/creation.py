"""Day 1 — tensors/creation: reference solution."""

import numpy as np
import torch


def causal_mask(n: int) -> torch.Tensor:
    """(n, n) bool, True on and below the diagonal."""
    return torch.ones(n, n, dtype=torch.bool).tril()


def positions(batch: int, t: int) -> torch.Tensor:
    """(batch, t) int64; row b is 0..t-1."""
    return torch.arange(t).expand(batch, t)


def one_hot(idx: torch.Tensor, num_classes: int) -> torch.Tensor:
    """idx (...) int64 -> (..., num_classes) int64."""
    return (idx.unsqueeze(-1) == torch.arange(num_classes, device=idx.device)).long()


def share_numpy(a: np.ndarray) -> torch.Tensor:
    """A tensor viewing the same memory as `a`."""
    return torch.from_numpy(a)

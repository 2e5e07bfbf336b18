"""Complement of triu for the mask, modulo arithmetic for positions, a stack over classes with an input check for one_hot, DLPack for sharing."""

import numpy as np
import torch


def causal_mask(n: int) -> torch.Tensor:
    return ~torch.ones(n, n, dtype=torch.bool).triu(1)


def positions(batch: int, t: int) -> torch.Tensor:
    return (torch.arange(batch * t) % max(t, 1)).reshape(batch, t)


def one_hot(idx: torch.Tensor, num_classes: int) -> torch.Tensor:
    if idx.numel() and (int(idx.min()) < 0 or int(idx.max()) >= num_classes):
        raise ValueError(f"class indices must lie in [0, {num_classes})")
    return torch.stack([idx == c for c in range(num_classes)], dim=-1).to(torch.int64)


def share_numpy(a: np.ndarray) -> torch.Tensor:
    if any(s < 0 for s in a.strides):
        raise ValueError(f"cannot share an array with negative strides {a.strides}")
    return torch.from_dlpack(a)

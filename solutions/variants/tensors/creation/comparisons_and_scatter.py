"""Broadcast comparisons for the mask, repeat for positions, zeros + scatter_ for one_hot, torch.as_tensor for sharing."""

import numpy as np
import torch


def causal_mask(n: int) -> torch.Tensor:
    i = torch.arange(n)
    return i.unsqueeze(1) >= i.unsqueeze(0)


def positions(batch: int, t: int) -> torch.Tensor:
    return torch.arange(t, dtype=torch.int64).unsqueeze(0).repeat(batch, 1)


def one_hot(idx: torch.Tensor, num_classes: int) -> torch.Tensor:
    out = torch.zeros(*idx.shape, num_classes, dtype=torch.int64, device=idx.device)
    return out.scatter_(-1, idx.unsqueeze(-1), 1)


def share_numpy(a: np.ndarray) -> torch.Tensor:
    return torch.as_tensor(a)

"""Summing over the wrong axis: the differences a[:, None, :] - b[None, :, :] have shape
(N, M, D), and the squared distance sums over the FEATURE axis D (the last). Summing over
axis 1 adds up the M points instead and gives an (N, D) result (which even has the right
shape when M == D). Name the axes when you broadcast: (N, M, D) -> sum(dim=-1) -> (N, M)."""

import torch

from solutions.broadcasting.reductions import *  # noqa: F401,F403 (the rest is correct)


def pairwise_sq_dists(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    diff = a[:, None, :] - b[None, :, :]  # (N, M, D)
    return (diff * diff).sum(dim=1)  # sums over the M points, not the D features

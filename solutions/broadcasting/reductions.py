"""Day 2 — broadcasting/reductions: reference solution."""

import torch


def mean(x: torch.Tensor, dim: int = -1, keepdim: bool = False) -> torch.Tensor:
    """Mean over `dim`; keeps it with size 1 when keepdim."""
    return x.sum(dim=dim, keepdim=keepdim) / x.shape[dim]


def max(x: torch.Tensor, dim: int = -1, keepdim: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """(values, int64 indices) of the maximum along `dim`, like torch.max(x, dim, keepdim)."""
    moved = x.movedim(dim, -1)  # the reduced dim last: moved[..., i] is slice i along dim
    values = moved[..., 0]
    indices = torch.zeros(values.shape, dtype=torch.int64, device=x.device)
    for i in range(1, moved.shape[-1]):
        bigger = moved[..., i] > values  # strictly: on ties keep the first position
        values = torch.where(bigger, moved[..., i], values)
        indices = torch.where(bigger, i, indices)
    if keepdim:  # put the reduced dim back, with size 1, where it was
        values, indices = values.unsqueeze(dim), indices.unsqueeze(dim)
    return values, indices


def pairwise_sq_dists(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """(N, D), (M, D) -> (N, M) squared Euclidean distances."""
    diff = a[:, None, :] - b[None, :, :]  # (N, M, D)
    return (diff * diff).sum(dim=-1)  # sum over the feature dim D


def normalize(x: torch.Tensor, dim: int = -1, eps: float = 1e-12) -> torch.Tensor:
    """x / max(L2 norm of x over dim, eps)."""
    # kept, so it broadcasts against x; vector_norm's backward is 0 at a zero vector, where
    # sqrt's would be infinite (0 * inf = NaN)
    norm = torch.linalg.vector_norm(x, ord=2, dim=dim, keepdim=True)
    return x / norm.clamp_min(eps)

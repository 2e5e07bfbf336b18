"""masked_mean returns torch.zeros(...) of the right shape, dtype and device as a shortcut when
the mask has no True at all: the result has no graph, so x gets no gradient (the docstring
promises 0 for empty slices, and differentiability).

Fix: let the where/sum/divide run on every input; the clamped count gives 0 and a 0 gradient.
"""

import torch


def gather_rows(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """x (B, T, C), idx (B, K) int64 -> (B, K, C) with out[b, k] = x[b, idx[b, k]]."""
    rows = torch.arange(x.shape[0], device=x.device)[:, None]  # (B, 1) broadcasts against (B, K)
    return x[rows, idx]


def last_token(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """x (B, T, C), lengths (B,) int64 -> (B, C): x[b, lengths[b] - 1] for each b."""
    rows = torch.arange(x.shape[0], device=x.device)
    return x[rows, lengths - 1]  # a sequence of n tokens ends at position n - 1


def masked_mean(x: torch.Tensor, mask: torch.Tensor, dim: int) -> torch.Tensor:
    """Mean of x over dim counting only mask==True entries; an empty slice gives 0."""
    # half dtypes accumulate in float32 (like torch.mean): their sum may overflow, the mean not
    acc = torch.float32 if x.dtype in (torch.float16, torch.bfloat16) else x.dtype
    if not mask.any():
        return torch.zeros(x.shape[:dim % x.dim()] + x.shape[dim % x.dim() + 1:], dtype=x.dtype, device=x.device)
    total = torch.where(mask, x, torch.zeros_like(x)).sum(dim, dtype=acc)
    count = mask.sum(dim).clamp_min(1)
    return (total / count.to(acc)).to(x.dtype)

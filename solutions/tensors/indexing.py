"""Day 1 — tensors/indexing: reference solution.

Decisions stated in the stub: B, K, C may be 0; unpicked rows and padding may hold inf/NaN
(so index, never multiply by a one-hot); masked_mean keeps half dtypes (accumulated in float32), is exact in float64
(count clamped to 1, no eps) and its gradient on an empty slice is 0, not NaN.
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
    total = torch.where(mask, x, torch.zeros_like(x)).sum(dim, dtype=acc)
    count = mask.sum(dim).clamp_min(1)  # an empty slice sums to 0; 0 / 1 = 0, not 0 / 0 = NaN
    return (total / count.to(acc)).to(x.dtype)

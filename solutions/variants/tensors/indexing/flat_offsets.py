"""Flattened (B*T, C) rows indexed by b*T + t offsets; masked_mean in float64, cast back."""

import torch


def gather_rows(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    B, T, C = x.shape
    offsets = torch.arange(B, device=x.device)[:, None] * T  # row b starts at b*T
    return x.reshape(B * T, C)[idx + offsets]


def last_token(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    B, T, C = x.shape
    flat = torch.arange(B, device=x.device) * T + (lengths - 1)
    return x.reshape(B * T, C)[flat]


def masked_mean(x: torch.Tensor, mask: torch.Tensor, dim: int) -> torch.Tensor:
    wide = x.to(torch.float64)
    total = wide.masked_fill(~mask, 0.0).sum(dim)
    count = mask.sum(dim, dtype=torch.float64).clamp(min=1.0)
    return (total / count).to(x.dtype)

"""Day 19 — positional/sinusoidal: reference solution."""

import torch


def sinusoidal_table(max_len: int, d_model: int) -> torch.Tensor:
    """(max_len, d_model) float32: sin(pos / 10000^(2i/d)) on channel 2i, cos on channel 2i + 1."""
    pos = torch.arange(max_len, dtype=torch.float64)[:, None]   # (max_len, 1)
    even = torch.arange(0, d_model, 2, dtype=torch.float64)      # 2i for every pair
    angles = pos / 10000.0 ** (even / d_model)                   # (max_len, ceil(d/2))
    table = torch.empty(max_len, d_model, dtype=torch.float64)
    table[:, 0::2] = angles.sin()                                # channels 0, 2, 4, ...
    table[:, 1::2] = angles[:, : d_model // 2].cos()             # channels 1, 3, ... (none left over when d is odd)
    return table.float()

"""Counts the positions in float16: integers are exact in float16 only up to 2048, so position
2049 becomes 2048 and every row past 2048 repeats or skips a position. Count in float32
(exact to 2^24) or float64: torch.arange(max_len, dtype=torch.float32)."""

import torch

from solutions.positional.sinusoidal import *  # noqa: F401,F403 (the rest is correct)


def sinusoidal_table(max_len, d_model):
    pos = torch.arange(max_len, dtype=torch.float16).double()[:, None]  # wrong: float16 counter
    even = torch.arange(0, d_model, 2, dtype=torch.float64)
    angles = pos / 10000.0 ** (even / d_model)
    table = torch.empty(max_len, d_model, dtype=torch.float64)
    table[:, 0::2] = angles.sin()
    table[:, 1::2] = angles[:, : d_model // 2].cos()
    return table.float()

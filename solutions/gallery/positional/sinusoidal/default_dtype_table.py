"""Builds the table with torch.zeros(max_len, d_model) and no dtype: the values are right, but
the result follows torch.get_default_dtype(), so under torch.set_default_dtype(torch.float64)
it comes back float64 although the contract promises float32.

Fix: return table.float() (or pass dtype=torch.float32 to every constructor).
"""

import math

import torch

from solutions.positional.sinusoidal import *  # noqa: F401,F403 (the rest is correct)


def sinusoidal_table(max_len, d_model):
    pos = torch.arange(max_len).unsqueeze(1)
    even = torch.arange(0, d_model, 2)
    angles = pos * torch.exp(even * (-math.log(10000.0) / d_model))
    table = torch.zeros(max_len, d_model)  # wrong: default dtype
    table[:, 0::2] = angles.sin()
    table[:, 1::2] = angles[:, : d_model // 2].cos()
    return table

"""The PyTorch tutorial's table: pe[:, 1::2] = cos(position * div_term) has d_model // 2
columns on the left but ceil(d_model / 2) on the right, so every odd d_model raises a shape
error. The contract defines odd d_model: the last channel is a sin with no cos partner.

Fix: pe[:, 1::2] = torch.cos(position * div_term[: d_model // 2]).
"""

import math

import torch

from solutions.positional.sinusoidal import *  # noqa: F401,F403 (the rest is correct)


def sinusoidal_table(max_len, d_model):
    position = torch.arange(max_len, dtype=torch.float32).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float32) * (-math.log(10000.0) / d_model))
    pe = torch.zeros(max_len, d_model, dtype=torch.float32)
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)  # wrong: shape mismatch for odd d_model
    return pe

"""Cos on the even channels and sin on the odd ones: the pairs are swapped, so position 0 reads
1, 0, 1, 0, ... instead of 0, 1, 0, 1, .... The paper puts sin on channel 2i and cos on 2i + 1."""

import torch

from solutions.positional.sinusoidal import *  # noqa: F401,F403 (the rest is correct)


def sinusoidal_table(max_len, d_model):
    pos = torch.arange(max_len, dtype=torch.float64)[:, None]
    even = torch.arange(0, d_model, 2, dtype=torch.float64)
    angles = pos / 10000.0 ** (even / d_model)
    table = torch.empty(max_len, d_model, dtype=torch.float64)
    table[:, 0::2] = angles.cos()  # wrong: cos on the even channels
    table[:, 1::2] = angles[:, : d_model // 2].sin()
    return table.float()

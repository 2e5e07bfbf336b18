"""Sines and cosines concatenated instead of interleaved: torch.cat([sin, cos], dim=-1) puts
every sine in the first half of the channels and every cosine in the second half. That is a
valid encoding too (some codebases, e.g. tensor2tensor, use it), but it is not the paper's
table, and weights trained with one layout are garbage with the other. The paper interleaves:
channel 2i holds sin and channel 2i + 1 holds cos of the SAME angle, so write
table[:, 0::2] = sin and table[:, 1::2] = cos."""

import torch

from solutions.positional.sinusoidal import *  # noqa: F401,F403 (the rest is correct)


def sinusoidal_table(max_len, d_model):
    pos = torch.arange(max_len, dtype=torch.float64)[:, None]
    even = torch.arange(0, d_model, 2, dtype=torch.float64)
    angles = pos / 10000.0 ** (even / d_model)
    table = torch.cat([angles.sin(), angles[:, : d_model // 2].cos()], dim=-1)  # wrong: not interleaved
    return table.float()

"""float32 exp/log frequencies, sin and cos stacked on a new last dim then flattened and cut to d_model."""

import math

import torch


def sinusoidal_table(max_len, d_model):
    pairs = (d_model + 1) // 2
    inv_freq = torch.exp(torch.arange(pairs, dtype=torch.float32) * (-2.0 * math.log(10000.0) / d_model))
    angles = torch.outer(torch.arange(max_len, dtype=torch.float32), inv_freq)
    table = torch.stack([angles.sin(), angles.cos()], dim=-1).reshape(max_len, 2 * pairs)
    return table[:, :d_model].contiguous()

"""A frequency per channel instead of per pair: 10000^(j / d_model) with j the channel index
gives the cos channel 2i + 1 a slightly different frequency from its sin channel 2i, so a pair
is no longer sin and cos of one angle (sin^2 + cos^2 != 1) and a shift in position is no longer
a rotation of each pair. Both channels of pair i use 10000^(2i / d_model)."""

import torch

from solutions.positional.sinusoidal import *  # noqa: F401,F403 (the rest is correct)


def sinusoidal_table(max_len, d_model):
    pos = torch.arange(max_len, dtype=torch.float64)[:, None]
    channel = torch.arange(d_model, dtype=torch.float64)
    angles = pos / 10000.0 ** (channel / d_model)  # wrong: the odd channel's own exponent
    table = angles.sin()
    table[:, 1::2] = angles[:, 1::2].cos()
    return table.float()

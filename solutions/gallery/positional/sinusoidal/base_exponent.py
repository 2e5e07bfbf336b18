"""Base exponent i/d instead of 2i/d: counting the pairs i = 0, 1, 2, ... and using
10000^(i / d_model) forgets the factor 2, so the frequencies only fall to 10000^(-1/2) = 1/100
instead of about 1/10000: the longest wavelength is 100x too short and far positions alias.
The exponent is the even channel index over d_model: torch.arange(0, d_model, 2) / d_model."""

import torch

from solutions.positional.sinusoidal import *  # noqa: F401,F403 (the rest is correct)


def sinusoidal_table(max_len, d_model):
    pos = torch.arange(max_len, dtype=torch.float64)[:, None]
    pair = torch.arange((d_model + 1) // 2, dtype=torch.float64)
    angles = pos / 10000.0 ** (pair / d_model)  # wrong: i / d instead of 2i / d
    table = torch.empty(max_len, d_model, dtype=torch.float64)
    table[:, 0::2] = angles.sin()
    table[:, 1::2] = angles[:, : d_model // 2].cos()
    return table.float()

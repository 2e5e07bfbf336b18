"""Non-power-of-two slopes taken as the FIRST n - p slopes of the 2p-head model instead of
every other one: for 12 heads the extra slopes must be 2^-0.5, 2^-1.5, 2^-2.5, 2^-3.5 (the
1st, 3rd, 5th and 7th of 16 heads), not 2^-0.5, 2^-1, 2^-1.5, 2^-2, which repeat slopes
the first 8 heads already have. Take [0::2] before [:n - p]."""

import math

import torch

from solutions.attention.alibi import *  # noqa: F401,F403 (the rest is correct)


def alibi_slopes(n_heads: int) -> torch.Tensor:
    p = 2 ** math.floor(math.log2(n_heads))
    slopes = [2.0 ** (-8.0 * i / p) for i in range(1, p + 1)]
    slopes += [2.0 ** (-8.0 * i / (2 * p)) for i in range(1, 2 * p + 1)][: n_heads - p]  # wrong: no [0::2]
    return torch.tensor(slopes)

"""Slopes for non-power-of-two head counts: 2^(-8i/n) for every n looks like the same
geometric sequence, but the paper defines it only for powers of two. For other n it takes the
p = 2^floor(log2 n) slopes of a p-head model, then every other slope of a 2p-head model (its
1st, 3rd, ... slopes), so 12 heads get 2^-1 .. 2^-8 followed by 2^-0.5, 2^-1.5, 2^-2.5, 2^-3.5
and models with different head counts share slopes."""

import torch

from solutions.attention.alibi import *  # noqa: F401,F403 (the rest is correct)


def alibi_slopes(n_heads: int) -> torch.Tensor:
    return torch.tensor([2.0 ** (-8.0 * i / n_heads) for i in range(1, n_heads + 1)])  # wrong for 12

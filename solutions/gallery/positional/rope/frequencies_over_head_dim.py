"""Frequencies over head_dim instead of head_dim/2: theta_i = base^(-i / head_dim) for the
head_dim/2 frequencies i = 0 .. head_dim/2 - 1 stops at base^(-1/2) (1/100 for base 10000):
the slowest pair turns 100x too fast, so far-apart positions look alike. The exponent is 2i
over head_dim (i over head_dim/2): base ** (-torch.arange(0, head_dim, 2) / head_dim)."""

import torch

from solutions.positional.rope import *  # noqa: F401,F403 (the rest is correct)


def rope_cache(head_dim, max_len, base=10000.0):
    theta = base ** (-torch.arange(head_dim // 2, dtype=torch.float64) / head_dim)  # wrong: i / d
    angles = torch.arange(max_len, dtype=torch.float64)[:, None] * theta
    return angles.cos().float(), angles.sin().float()

"""Bias from the absolute distance: -m * |i - j| penalises future keys too, so the entries
above the diagonal come out negative where the contract (the paper's -m * (i - j)) makes them
positive. A causal model masks those keys anyway, which hides the slip until the bias is used
without a mask (bidirectional ALiBi, or a cached decoder whose mask is built separately).

Fix: bias[h, i, j] = -m_h * (i - j), signed.
"""

import torch

from solutions.attention.alibi import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.alibi import _slope_list


def alibi_bias(n_heads, L, S):
    rel = (torch.arange(L)[:, None] - torch.arange(S)[None, :]).abs().float()  # wrong: |i - j|
    return -torch.tensor(_slope_list(n_heads), dtype=torch.float32)[:, None, None] * rel

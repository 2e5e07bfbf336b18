"""Bias sign flipped: +m * (i - j) REWARDS distant past keys, so every head prefers the
oldest tokens, the opposite of ALiBi's recency bias. The bias is -m * (i - j): 0 on the
diagonal and more negative the further back the key is."""

import torch

from solutions.attention.alibi import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.alibi import alibi_slopes


def alibi_bias(n_heads: int, L: int, S: int) -> torch.Tensor:
    rel = (torch.arange(L)[:, None] - torch.arange(S)[None, :]).float()
    return alibi_slopes(n_heads)[:, None, None] * rel  # wrong sign

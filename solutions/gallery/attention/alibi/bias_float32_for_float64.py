"""Adds the float32 alibi_bias(...) to float64 scores (cast with .to(q)): the output is float64
but the slopes 2^-0.5, 2^-1.5, ... were rounded to float32 first, so every biased score is off
by ~1e-8 and float64 inputs lose their accuracy. The contract computes in q's dtype.

Fix: build the slopes and i - j directly in q.dtype (torch.tensor(slopes, dtype=q.dtype)).
"""

import math

import torch

from solutions.attention.alibi import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.alibi import alibi_bias


def alibi_attention(q, k, v, causal=True):
    H, L, S = q.shape[-3], q.shape[-2], k.shape[-2]
    bias = alibi_bias(H, L, S).to(q)  # wrong: float32 slopes cast up
    if causal:
        bias = bias.masked_fill(~torch.ones(L, S, dtype=torch.bool, device=q.device).tril(), float("-inf"))
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]) + bias
    return scores.softmax(-1) @ v

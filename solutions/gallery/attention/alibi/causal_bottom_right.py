"""Causal mask aligned bottom-right in alibi_attention: with L != S, tril(diagonal=S - L) lets
query i see keys up to i + S - L. This kata counts positions from 0 for queries and keys
alike (top-left, like sdpa's is_causal): query i sees keys 0..i, and the bias -m * (i - j)
uses the same i and j."""

import math

import torch

from solutions.attention.alibi import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.alibi import alibi_bias


def alibi_attention(q, k, v, causal=True):
    H, L, S = q.shape[-3], q.shape[-2], k.shape[-2]
    bias = alibi_bias(H, L, S)
    if causal:
        bias = bias.masked_fill(~torch.ones(L, S, dtype=torch.bool).tril(diagonal=S - L), float("-inf"))  # wrong
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]) + bias.to(q)
    return scores.softmax(dim=-1).nan_to_num(0.0) @ v

"""Causal mask added as a finite -10000 (BERT-style `-10000 * mask`) instead of -inf: ALiBi's own
bias is POSITIVE for future keys, +slope * (j - i), and cancels the -1e4 once the distance reaches
1e4 / slope (20000 keys ahead for head 0 of 8, slope 1/2), so far-future keys leak into the output.

Fix: masked_fill(mask, float("-inf")) (or torch.where) to hide them for good."""

import math

import torch

from solutions.attention.alibi import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.alibi import _bias


def alibi_attention(q, k, v, causal=True):
    H, L, S = q.shape[-3], q.shape[-2], k.shape[-2]
    bias = _bias(H, L, S, q.dtype, q.device)
    if causal:
        bias = bias + torch.full((L, S), -10000.0, dtype=q.dtype, device=q.device).triu(1)  # wrong
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]) + bias
    return scores.softmax(dim=-1) @ v

"""A shortcut for window >= T (plain attention, as the contract says) with a hand-written
softmax exp(s) / sum(exp(s)) and no max shift: scores of +100 overflow float32 to inf (and
inf / inf = NaN), scores of -150 underflow to 0 / 0, and the blocked path is right, so only a
long window shows it. Subtract each row's max before exp (or use torch.softmax)."""

import math

import torch

from solutions.attention.masks import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.masks import sliding_window_attention as _blocked


def sliding_window_attention(q, k, v, window, causal=True):
    T = q.shape[-2]
    if T == 0 or window < T:
        return _blocked(q, k, v, window, causal)
    scores = (q @ k.transpose(-2, -1)) / math.sqrt(q.shape[-1])  # window >= T: plain attention
    if causal:
        scores = scores.masked_fill(torch.ones(T, T, dtype=torch.bool, device=q.device).triu(1), float("-inf"))
    e = scores.exp()  # wrong: no max shift
    return (e / e.sum(dim=-1, keepdim=True)) @ v

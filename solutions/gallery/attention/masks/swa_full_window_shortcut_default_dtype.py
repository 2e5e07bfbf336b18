"""A shortcut for window >= T (plain attention, as the contract says) with its causal mask
made additive by torch.full((T, T), -inf).triu(1) and no dtype=: the mask follows
torch.get_default_dtype(), so under a float64 default float32 inputs come back float64,
and the blocked path is right, so only a long window shows it. Use dtype=q.dtype (or a
bool mask with masked_fill)."""

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
        scores = scores + torch.full((T, T), float("-inf"), device=q.device).triu(1)  # wrong: default dtype
    return scores.softmax(dim=-1) @ v

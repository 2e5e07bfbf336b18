"""Splits the queries into a fixed NUMBER of blocks (8 blocks of T / 8 queries) instead of
blocks of a fixed SIZE: each block's scores are (T / 8) x (T / 8 + window), so memory and
work still grow with T^2 (one eighth of full attention), and doubling T triples the peak
and more. The window, not T, must bound each block.

Fix: a block size independent of T (e.g. max(window, 32)), as many blocks as it takes.
"""

import math

import torch

from solutions.attention.masks import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.masks import _window_allowed


def sliding_window_attention(q, k, v, window, causal=True):
    T = q.shape[-2]
    if T == 0:
        return q.new_zeros(*q.shape[:-1], v.shape[-1])
    scale = 1.0 / math.sqrt(q.shape[-1])
    pos = torch.arange(T, device=q.device)
    block = -(-T // 8)  # wrong: the block grows with T
    outs = []
    for start in range(0, T, block):
        stop = min(start + block, T)
        lo = max(0, start - window + 1) if causal else max(0, start - window)
        hi = stop if causal else min(T, stop + window)
        scores = (q[..., start:stop, :] @ k[..., lo:hi, :].transpose(-2, -1)) * scale
        allowed = _window_allowed(pos[start:stop, None], pos[None, lo:hi], window, causal)
        outs.append(scores.masked_fill(~allowed, float("-inf")).softmax(-1) @ v[..., lo:hi, :])
    return torch.cat(outs, dim=-2)

"""Blocks that only see their own keys: splitting the sequence into blocks and attending
within each block drops the keys of the previous block that a query's window still covers
(query 0 of a block must see the window - 1 keys before the block). Each block of queries
[start, stop) needs the keys [start - window + 1, stop) (causal) or
[start - window, stop + window) (bidirectional), clipped to the sequence."""

import math

import torch

from solutions.attention.masks import *  # noqa: F401,F403 (the rest is correct)


def sliding_window_attention(q, k, v, window, causal=True):
    T = q.shape[-2]
    pos = torch.arange(T)
    block = max(window, 32)
    outs = []
    for start in range(0, T, block):
        stop = min(start + block, T)
        i, j = pos[start:stop, None], pos[None, start:stop]  # wrong: only this block's keys
        allowed = (j <= i) & (j > i - window) if causal else (i - j).abs() <= window
        scores = q[..., start:stop, :] @ k[..., start:stop, :].transpose(-2, -1) / math.sqrt(q.shape[-1])
        outs.append(scores.masked_fill(~allowed, float("-inf")).softmax(-1) @ v[..., start:stop, :])
    return torch.cat(outs, dim=-2)

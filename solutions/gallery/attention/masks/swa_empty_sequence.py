"""Blocks joined with torch.cat without a case for T = 0: the loop over query blocks runs
zero times and torch.cat([]) raises, where the contract asks for an empty (..., 0, Dv) result.

Fix: if T == 0 return q.new_zeros(*q.shape[:-1], v.shape[-1]).
"""

import math

import torch

from solutions.attention.masks import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.masks import _window_allowed


def sliding_window_attention(q, k, v, window, causal=True):
    T = q.shape[-2]
    scale = 1.0 / math.sqrt(q.shape[-1])
    pos = torch.arange(T, device=q.device)
    outs = []
    for start in range(0, T, 32):
        stop = min(start + 32, T)
        lo = max(0, start - window + 1) if causal else max(0, start - window)
        hi = stop if causal else min(T, stop + window)
        scores = (q[..., start:stop, :] @ k[..., lo:hi, :].transpose(-2, -1)) * scale
        allowed = _window_allowed(pos[start:stop, None], pos[None, lo:hi], window, causal)
        outs.append(scores.masked_fill(~allowed, float("-inf")).softmax(-1) @ v[..., lo:hi, :])
    return torch.cat(outs, dim=-2)  # wrong: raises for T = 0

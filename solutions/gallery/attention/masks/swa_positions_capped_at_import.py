"""Positions table made once at import: sliding_window_attention slices
_POSITIONS = torch.arange(1024) (a "max sequence length", as in nanoGPT's block_size) instead
of building torch.arange(T) per call. Every sequence up to 1024 is right; a longer one gets
too few positions and fails (or compares the wrong positions), though the contract sets no
length limit.

Fix: pos = torch.arange(T, device=q.device) in each call."""

import math

import torch

from solutions.attention.masks import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.masks import _window_allowed

_POSITIONS = torch.arange(1024)


def sliding_window_attention(q, k, v, window, causal=True):
    T = q.shape[-2]
    scale = 1.0 / math.sqrt(q.shape[-1])
    pos = _POSITIONS[:T].to(q.device)
    block = max(window, 32)
    outs = []
    for start in range(0, T, block):
        stop = min(start + block, T)
        lo = max(0, start - window + 1) if causal else max(0, start - window)
        hi = stop if causal else min(T, stop + window)
        scores = (q[..., start:stop, :] @ k[..., lo:hi, :].transpose(-2, -1)) * scale
        allowed = _window_allowed(pos[start:stop, None], pos[None, lo:hi], window, causal)
        outs.append(scores.masked_fill(~allowed, float("-inf")).softmax(dim=-1) @ v[..., lo:hi, :])
    if not outs:
        return q.new_zeros(*q.shape[:-1], v.shape[-1])
    return torch.cat(outs, dim=-2)

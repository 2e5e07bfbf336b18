"""Preallocates the output with torch.zeros(..., dtype=q.dtype) and no device=, then writes
each block of queries into it: right on the CPU, but with q on a GPU the buffer stays on
the CPU and every block is copied off the device (or the write raises). The spec runs on
the meta device, where copying into the CPU buffer fails.

Fix: q.new_zeros(*q.shape[:-1], v.shape[-1]) (q's dtype and device), or collect the blocks
in a list and torch.cat them along dim -2.
"""

import math

import torch

from solutions.attention.masks import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.masks import _window_allowed


def sliding_window_attention(q, k, v, window, causal=True):
    T = q.shape[-2]
    scale = 1.0 / math.sqrt(q.shape[-1])
    pos = torch.arange(T, device=q.device)
    out = torch.zeros(*q.shape[:-1], v.shape[-1], dtype=q.dtype)  # wrong: on the CPU, not q.device
    block = max(window, 32)
    for start in range(0, T, block):
        stop = min(start + block, T)
        lo = max(0, start - window + 1) if causal else max(0, start - window)
        hi = stop if causal else min(T, stop + window)
        scores = (q[..., start:stop, :] @ k[..., lo:hi, :].transpose(-2, -1)) * scale
        allowed = _window_allowed(pos[start:stop, None], pos[None, lo:hi], window, causal)
        out[..., start:stop, :] = scores.masked_fill(~allowed, float("-inf")).softmax(-1) @ v[..., lo:hi, :]
    return out

"""Positions built with torch.arange(T) and no device=: they live on the CPU, and the
window mask made from them meets scores on the GPU in masked_fill, which raises "Expected
all tensors to be on the same device". A CPU-only run hides it; the spec runs on the meta
device.

Fix: torch.arange(T, device=q.device), and every other helper tensor on q.device.
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
    pos = torch.arange(T)  # wrong: on the CPU, not q.device
    block = max(window, 32)
    outs = []
    for start in range(0, T, block):
        stop = min(start + block, T)
        lo = max(0, start - window + 1) if causal else max(0, start - window)
        hi = stop if causal else min(T, stop + window)
        scores = (q[..., start:stop, :] @ k[..., lo:hi, :].transpose(-2, -1)) * scale
        allowed = _window_allowed(pos[start:stop, None], pos[None, lo:hi], window, causal)
        outs.append(scores.masked_fill(~allowed, float("-inf")).softmax(-1) @ v[..., lo:hi, :])
    return torch.cat(outs, dim=-2)

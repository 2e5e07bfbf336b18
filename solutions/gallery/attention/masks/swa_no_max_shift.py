"""Hand-written softmax over each query's window without subtracting the row max: exp(100)
overflows float32 to inf and the weights become inf / inf = NaN. Scores of +-100 are
ordinary for sharp heads.

Fix: e = exp(scores - scores.amax(-1, keepdim=True)) (or torch.softmax).
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
    outs = []
    for start in range(0, T, 32):
        stop = min(start + 32, T)
        lo = max(0, start - window + 1) if causal else max(0, start - window)
        hi = stop if causal else min(T, stop + window)
        scores = (q[..., start:stop, :] @ k[..., lo:hi, :].transpose(-2, -1)) * scale
        allowed = _window_allowed(pos[start:stop, None], pos[None, lo:hi], window, causal)
        e = scores.exp() * allowed  # wrong: no max shift
        outs.append((e / e.sum(-1, keepdim=True)) @ v[..., lo:hi, :])
    return torch.cat(outs, dim=-2)

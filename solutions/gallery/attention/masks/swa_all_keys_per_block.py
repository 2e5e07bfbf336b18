"""Blocks of queries multiplied by ALL T keys, the window applied as a mask afterwards:
the values are right and memory grows only with T * block, but every block still does
block x T work, so the FLOPs grow with T^2, exactly what sliding-window attention exists
to avoid. A block of queries [start, stop) only needs the keys its windows reach.

Fix: slice the keys and values per block, k[..., lo:hi, :] with lo = start - window + 1
(causal) or start - window, hi = stop (causal) or stop + window, clipped to [0, T].
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
        scores = (q[..., start:stop, :] @ k.transpose(-2, -1)) * scale  # wrong: every key, (block, T)
        allowed = _window_allowed(pos[start:stop, None], pos[None, :], window, causal)
        outs.append(scores.masked_fill(~allowed, float("-inf")).softmax(-1) @ v)
    return torch.cat(outs, dim=-2)

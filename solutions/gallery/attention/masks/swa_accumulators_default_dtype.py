"""Online-softmax accumulators made with torch.zeros(...) / torch.full(...) and no dtype: they
follow torch.get_default_dtype(), so under torch.set_default_dtype(torch.float64) float32
inputs come back as a float64 output.

Fix: dtype=q.dtype, device=q.device on every accumulator (or q.new_zeros / q.new_full).
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
    for start in range(0, T, 16):
        stop = min(start + 16, T)
        lo = max(0, start - window + 1) if causal else max(0, start - window)
        hi = stop if causal else min(T, stop + window)
        rows = (*q.shape[:-2], stop - start)
        m = torch.full((*rows, 1), float("-inf"))  # wrong: default dtype
        s = torch.zeros(*rows, 1)
        acc = torch.zeros(*rows, v.shape[-1])
        for c in range(lo, hi, 8):
            ce = min(c + 8, hi)
            scores = (q[..., start:stop, :] @ k[..., c:ce, :].transpose(-2, -1)) * scale
            allowed = _window_allowed(pos[start:stop, None], pos[None, c:ce], window, causal)
            scores = scores.masked_fill(~allowed, float("-inf"))
            m_new = torch.maximum(m, scores.amax(-1, keepdim=True))
            safe = torch.where(torch.isneginf(m_new), torch.zeros_like(m_new), m_new)
            p = (scores - safe).exp()
            corr = (m - safe).exp()
            s = s * corr + p.sum(-1, keepdim=True)
            acc = acc * corr + p @ v[..., c:ce, :]
            m = m_new
        outs.append(acc / s)
    return torch.cat(outs, dim=-2)

"""Online softmax over key chunks whose running max starts at 0 instead of -inf: when every
score of a row is near -150, exp(score - 0) underflows to 0 in float32, the running sum stays
0 and the output is 0 / 0 = NaN. (Starting at -inf, the first chunk sets the max to the row's
own scale and nothing underflows.)

Fix: m = torch.full(..., float("-inf")) and rescale the running sum by exp(m_old - m_new).
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
        m = q.new_zeros(*q.shape[:-2], stop - start, 1)  # wrong: should start at -inf
        s = q.new_zeros(*q.shape[:-2], stop - start, 1)
        acc = q.new_zeros(*q.shape[:-2], stop - start, v.shape[-1])
        for c in range(lo, hi, 8):
            ce = min(c + 8, hi)
            scores = (q[..., start:stop, :] @ k[..., c:ce, :].transpose(-2, -1)) * scale
            allowed = _window_allowed(pos[start:stop, None], pos[None, c:ce], window, causal)
            scores = scores.masked_fill(~allowed, float("-inf"))
            m_new = torch.maximum(m, scores.amax(-1, keepdim=True))
            p = (scores - m_new).exp()
            corr = (m - m_new).exp()
            s = s * corr + p.sum(-1, keepdim=True)
            acc = acc * corr + p @ v[..., c:ce, :]
            m = m_new
        outs.append(acc / s)
    return torch.cat(outs, dim=-2)

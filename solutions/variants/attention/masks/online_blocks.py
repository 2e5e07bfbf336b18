"""Query blocks with an online softmax over key chunks (running max from -inf), masks via tril/triu."""

import math

import torch


def causal_mask(L, S):
    return torch.tril(torch.ones(L, S, dtype=torch.bool))


def padding_mask(lengths, S):
    return torch.lt(torch.arange(S, device=lengths.device).unsqueeze(0), lengths.unsqueeze(1))


def sliding_window_mask(L, window, causal=True):
    ones = torch.ones(L, L, dtype=torch.bool)
    if causal:
        return torch.tril(ones) & torch.triu(ones, diagonal=-(window - 1))
    return torch.tril(ones, diagonal=window) & torch.triu(ones, diagonal=-window)


def sliding_window_attention(q, k, v, window, causal=True):
    T = q.shape[-2]
    scale = q.shape[-1] ** -0.5
    out = q.new_zeros(*q.shape[:-1], v.shape[-1])
    pos = torch.arange(T, device=q.device)
    B = 24
    pieces = []
    for a in range(0, T, B):
        b = min(a + B, T)
        lo = max(0, a - window + 1) if causal else max(0, a - window)
        hi = b if causal else min(T, b + window)
        qi = q[..., a:b, :] * scale
        m = torch.full((*q.shape[:-2], b - a, 1), -math.inf, dtype=q.dtype, device=q.device)
        s = torch.zeros_like(m)
        acc = torch.zeros(*q.shape[:-2], b - a, v.shape[-1], dtype=q.dtype, device=q.device)
        for c in range(lo, hi, 10):
            e = min(c + 10, hi)
            sc = qi @ k[..., c:e, :].transpose(-1, -2)
            d = pos[a:b, None] - pos[None, c:e]
            ok = ((d >= 0) & (d < window)) if causal else (d.abs() <= window)
            sc = sc.masked_fill(~ok, -math.inf)
            m_new = torch.maximum(m, sc.amax(-1, keepdim=True))
            m_safe = torch.where(torch.isneginf(m_new), torch.zeros_like(m_new), m_new)
            p = torch.exp(sc - m_safe)
            corr = torch.exp(m - m_safe)
            s = s * corr + p.sum(-1, keepdim=True)
            acc = acc * corr + p @ v[..., c:e, :]
            m = m_new
        pieces.append(acc / s)
    return torch.cat(pieces, dim=-2) if pieces else out

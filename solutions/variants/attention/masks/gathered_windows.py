"""Each query gathers its own window of keys (unfold-style index table), masks computed by comparisons."""

import math

import torch


def causal_mask(L, S):
    i = torch.arange(L)[:, None]
    j = torch.arange(S)[None, :]
    return j <= i


def padding_mask(lengths, S):
    return torch.arange(S, device=lengths.device).expand(lengths.shape[0], S) < lengths.unsqueeze(-1)


def sliding_window_mask(L, window, causal=True):
    d = torch.arange(L)[:, None] - torch.arange(L)[None, :]
    return ((d >= 0) & (d < window)) if causal else (d.abs() <= window)


def sliding_window_attention(q, k, v, window, causal=True):
    T, D = q.shape[-2], q.shape[-1]
    if T == 0:
        return torch.zeros(*q.shape[:-1], v.shape[-1], dtype=q.dtype, device=q.device)
    w = min(window, T)
    offsets = torch.arange(-w + 1, 1, device=q.device) if causal else torch.arange(-w, w + 1, device=q.device)
    idx = torch.arange(T, device=q.device)[:, None] + offsets[None, :]  # (T, W)
    valid = (idx >= 0) & (idx < T)
    idx = idx.clamp(0, T - 1)
    kw = k[..., idx, :]  # (..., T, W, D)
    vw = v[..., idx, :]
    scores = torch.einsum("...td,...twd->...tw", q, kw) / math.sqrt(D)
    scores = scores.masked_fill(~valid, float("-inf"))
    weights = torch.softmax(scores, dim=-1)
    return torch.einsum("...tw,...twv->...tv", weights, vw)

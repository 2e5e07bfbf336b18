"""Keys and values padded by the window and cut into per-query windows with Tensor.unfold (a
view, no copy per query); masks from a distance grid; padding keys hidden with -inf."""

import math

import torch
import torch.nn.functional as F


def causal_mask(L, S):
    return (torch.arange(L)[:, None] - torch.arange(S)[None, :]) >= 0


def padding_mask(lengths, S):
    return torch.arange(S, device=lengths.device)[None, :] < lengths[:, None]


def sliding_window_mask(L, window, causal=True):
    d = torch.arange(L)[:, None] - torch.arange(L)[None, :]  # i - j
    return (d >= 0) & (d < window) if causal else d.abs() <= window


def sliding_window_attention(q, k, v, window, causal=True):
    T, D = q.shape[-2], q.shape[-1]
    if T == 0:
        return q.new_zeros(*q.shape[:-1], v.shape[-1])
    left, right = (window - 1, 0) if causal else (window, window)
    W = left + right + 1
    kw = F.pad(k, (0, 0, left, right)).unfold(-2, W, 1)  # (..., T, D, W): keys t - left .. t + right
    vw = F.pad(v, (0, 0, left, right)).unfold(-2, W, 1)  # (..., T, Dv, W)
    scores = (q.unsqueeze(-2) @ kw).squeeze(-2) / math.sqrt(D)  # (..., T, W)
    j = torch.arange(T, device=q.device)[:, None] + torch.arange(-left, right + 1, device=q.device)
    scores = scores.masked_fill((j < 0) | (j >= T), float("-inf"))  # the padding is no key
    weights = scores.softmax(dim=-1)
    return (vw @ weights.unsqueeze(-1)).squeeze(-1)

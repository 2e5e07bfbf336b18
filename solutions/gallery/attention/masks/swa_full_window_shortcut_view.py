"""A shortcut for window >= T (plain attention, as the contract says) that flattens the batch
dims with q.view(-1, T, D) for torch.bmm: a transposed or sliced q (non-contiguous) cannot be
viewed, and the blocked path slices and is right, so only a long window shows it. Use
.reshape, or matmul on the batch dims as they are."""

import math

import torch

from solutions.attention.masks import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.masks import sliding_window_attention as _blocked


def sliding_window_attention(q, k, v, window, causal=True):
    T, D = q.shape[-2], q.shape[-1]
    if T == 0 or window < T:
        return _blocked(q, k, v, window, causal)
    qf, kf, vf = q.view(-1, T, D), k.view(-1, T, D), v.view(-1, T, v.shape[-1])  # wrong: .view
    scores = torch.bmm(qf, kf.transpose(1, 2)) / math.sqrt(D)
    if causal:
        scores = scores.masked_fill(torch.ones(T, T, dtype=torch.bool, device=q.device).triu(1), float("-inf"))
    return torch.bmm(scores.softmax(dim=-1), vf).reshape(*q.shape[:-1], v.shape[-1])

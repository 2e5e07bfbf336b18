"""A fast path for power-of-two head counts, 2 ** (-8 * torch.arange(1, n + 1) / n): the
int arange divided by n is float32 (the default dtype), so float64 attention with 16 heads
gets slopes like 2^-0.5 rounded to float32 (~1e-8 off), while the Python-float branch for
other head counts is exact. Build the slopes in q's dtype on every path."""

import math

import torch

from solutions.attention.alibi import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.alibi import _attend, _relative_positions, _slope_list


def alibi_attention(q, k, v, causal=True):
    H, L, S = q.shape[-3], q.shape[-2], k.shape[-2]
    if H & (H - 1) == 0:
        slopes = (2 ** (-8 * torch.arange(1, H + 1, device=q.device) / H)).to(q.dtype)  # wrong: float32 first
    else:
        slopes = torch.tensor(_slope_list(H), dtype=q.dtype, device=q.device)
    bias = -slopes[:, None, None] * _relative_positions(L, S, q.dtype, q.device)
    if causal:
        bias = bias.masked_fill(~torch.ones(L, S, dtype=torch.bool, device=q.device).tril(), float("-inf"))
    return _attend(q, k, v, bias)

"""Slopes in closed form (odd exponents of the 2p-head model), bias by einsum-free broadcasting, attention via the sdpa kata's reference with a float mask."""

import math

import torch

from solutions.attention.sdpa import scaled_dot_product_attention


def _slopes(n, dtype=torch.float32, device=None):
    p = 1 << (n.bit_length() - 1)
    exps = [-8.0 * i / p for i in range(1, p + 1)] + [-4.0 * (2 * i - 1) / p for i in range(1, n - p + 1)]
    return torch.pow(torch.tensor(2.0, dtype=torch.float64), torch.tensor(exps, dtype=torch.float64)).to(dtype=dtype, device=device)


def alibi_slopes(n_heads):
    return _slopes(n_heads)


def _rel(L, S, dtype, device):
    i = torch.arange(L, dtype=dtype, device=device).unsqueeze(1)
    j = torch.arange(S, dtype=dtype, device=device).unsqueeze(0)
    return i - j


def alibi_bias(n_heads, L, S):
    return _slopes(n_heads).view(-1, 1, 1) * -_rel(L, S, torch.float32, None)


def alibi_attention(q, k, v, causal=True):
    H, L, S = q.shape[-3], q.shape[-2], k.shape[-2]
    bias = -_slopes(H, q.dtype, q.device)[:, None, None] * _rel(L, S, q.dtype, q.device)
    if causal:
        future = _rel(L, S, q.dtype, q.device) < 0
        bias = torch.where(future, torch.full_like(bias, -math.inf), bias)
    return scaled_dot_product_attention(q, k, v, attn_mask=bias)


def linear_bias_attention(q, k, v, alpha):
    bias = _rel(q.shape[-2], k.shape[-2], q.dtype, q.device) * alpha
    return scaled_dot_product_attention(q, k, v, attn_mask=bias)

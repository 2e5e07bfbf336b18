"""Fully masked rows found by a threshold (every score <= -1e8) instead of by -inf: bool
masks come out right, but a float mask whose row is a large FINITE bias (-1e9 on every key)
is not masked, it is an ordinary additive bias; torch gives that row the softmax of its
scores (here a uniform average), and this zeroes it. Only all -inf rows are fully masked."""

import math

import torch

from solutions.attention.sdpa import *  # noqa: F401,F403 (the rest is correct)


def scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=False, scale=None):
    L, S = q.shape[-2], k.shape[-2]
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    scores = (q @ k.transpose(-2, -1)) * scale
    if is_causal:
        attn_mask = torch.ones(L, S, dtype=torch.bool, device=q.device).tril()
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            attn_mask = torch.zeros(attn_mask.shape, dtype=q.dtype, device=q.device).masked_fill(~attn_mask, -1e9)
        scores = scores + attn_mask
    all_hidden = (scores <= -1e8).all(dim=-1, keepdim=True)  # wrong: a finite bias is not a mask
    scores = scores.masked_fill(all_hidden, 0.0)
    weights = scores.softmax(dim=-1).masked_fill(all_hidden, 0.0)
    return weights @ v

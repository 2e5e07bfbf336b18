"""Softmax over the queries: softmax(scores, dim=-2) normalises each KEY's column across the
queries, so a query's weights no longer sum to 1 and its output is not an average of the
values. The scores are (..., L, S) with the keys last: the softmax goes over dim=-1."""

import math

import torch

from solutions.attention.sdpa import *  # noqa: F401,F403 (the rest is correct)


def scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=False, scale=None):
    L, S = q.shape[-2], k.shape[-2]
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    scores = (q @ k.transpose(-2, -1)) * scale
    if is_causal:
        attn_mask = torch.ones(L, S, dtype=torch.bool).tril()
    if attn_mask is not None:
        scores = (scores.masked_fill(~attn_mask, float("-inf")) if attn_mask.dtype == torch.bool
                  else scores + attn_mask)
    weights = scores.softmax(dim=-2)  # wrong: over the queries
    return weights.nan_to_num(0.0) @ v

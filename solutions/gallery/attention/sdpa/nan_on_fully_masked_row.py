"""No rule for a fully masked row: softmax over a row of -inf is 0/0 = NaN, and the NaN row
spreads into everything computed from it (the next layer, the loss, every gradient). torch
returns zeros for such a row (its math path uses a "safe" softmax); find the rows whose
scores are all -inf and set their weights to 0."""

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
    return scores.softmax(dim=-1) @ v  # wrong: NaN rows where every key is masked

"""Masking with a large finite negative (-1e9) instead of -inf: partly masked rows come out
right (exp(-1e9) is 0), but a row whose keys are ALL masked becomes softmax(-1e9, ..., -1e9),
a uniform average of every value, garbage that looks plausible. torch (and this kata)
returns zeros for such a row: mask with -inf and set the weights of all-(-inf) rows to 0."""

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
        scores = (scores.masked_fill(~attn_mask, -1e9) if attn_mask.dtype == torch.bool  # wrong
                  else scores + attn_mask)
    weights = scores.softmax(dim=-1)
    weights = weights.masked_fill((scores == float("-inf")).all(-1, keepdim=True), 0.0)
    return weights @ v

"""The scale split between q and k as sqrt(scale) each (q * sqrt(s)) @ (k * sqrt(s))^T, a
trick for keeping products small: it equals q @ k^T * s only for s >= 0; scale is any float,
and a negative one raises (math.sqrt of a negative). Multiply the scores (or q alone) by s."""

import math

import torch

from solutions.attention.sdpa import *  # noqa: F401,F403 (the rest is correct)


def scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=False, scale=None):
    L, S = q.shape[-2], k.shape[-2]
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    root = math.sqrt(scale)  # wrong: fails (or would need a sign) for a negative scale
    scores = (q * root) @ (k * root).transpose(-2, -1)
    if is_causal:
        attn_mask = torch.ones(L, S, dtype=torch.bool, device=q.device).tril()
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
        else:
            scores = scores + attn_mask
    all_hidden = (scores == float("-inf")).all(dim=-1, keepdim=True)
    scores = scores.masked_fill(all_hidden, 0.0)
    weights = scores.softmax(dim=-1).masked_fill(all_hidden, 0.0)
    return weights @ v

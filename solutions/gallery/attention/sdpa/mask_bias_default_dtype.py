"""Turns the causal and bool masks into an additive bias with torch.zeros(L, S) and no dtype:
the bias follows torch.get_default_dtype(), so under torch.set_default_dtype(torch.float64)
float32 scores are promoted and the result comes back float64 instead of q's dtype.

Fix: torch.zeros(..., dtype=q.dtype, device=q.device), or keep the mask bool and masked_fill.
"""

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
            attn_mask = torch.zeros(attn_mask.shape, device=q.device).masked_fill(~attn_mask, float("-inf"))  # wrong
        scores = scores + attn_mask
    hidden = (scores == float("-inf")).all(-1, keepdim=True)
    weights = scores.masked_fill(hidden, 0.0).softmax(-1).masked_fill(hidden, 0.0)
    return weights @ v

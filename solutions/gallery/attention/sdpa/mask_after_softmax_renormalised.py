"""Bool mask applied AFTER the softmax: softmax over every key, multiply the weights by the
mask and renormalise each row. On paper that is the masked softmax, but when a hidden key
holds the row's largest score (+200 while the allowed keys sit near -100) the allowed
weights underflow to 0 in the full softmax, and renormalising zeros gives zeros (or 0/0).

Fix: hide the keys before the softmax: scores.masked_fill(~mask, float("-inf")), then
softmax over the keys.
"""

import math

import torch

from solutions.attention.sdpa import *  # noqa: F401,F403 (the rest is correct)


def scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=False, scale=None):
    L, S = q.shape[-2], k.shape[-2]
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    scores = (q @ k.transpose(-2, -1)) * scale
    keep = None
    if is_causal:
        keep = torch.ones(L, S, dtype=torch.bool, device=q.device).tril()
    elif attn_mask is not None and attn_mask.dtype == torch.bool:
        keep = attn_mask
    elif attn_mask is not None:
        scores = scores + attn_mask
    hidden = (scores == float("-inf")).all(-1, keepdim=True)
    weights = scores.masked_fill(hidden, 0.0).softmax(-1).masked_fill(hidden, 0.0)
    if keep is not None:
        weights = weights * keep  # wrong: the hidden keys already took the softmax's mass
        weights = weights / weights.sum(-1, keepdim=True).clamp_min(1e-12)
    return weights @ v

"""Tells float masks from bool ones by `attn_mask.dtype == torch.float32`: a float64 additive
mask (the natural one for float64 inputs) falls into the bool branch and `~mask` fails. A
float mask is any floating dtype.

Fix: `if attn_mask.dtype == torch.bool: ... else: scores = scores + attn_mask`.
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
        if attn_mask.dtype == torch.float32:  # wrong: float64 masks go to the bool branch
            scores = scores + attn_mask
        else:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
    hidden = (scores == float("-inf")).all(-1, keepdim=True)
    weights = scores.masked_fill(hidden, 0.0).softmax(-1).masked_fill(hidden, 0.0)
    return weights @ v

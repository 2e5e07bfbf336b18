"""Bool mask inverted: masked_fill(mask, -inf) hides the keys the mask ALLOWS. In torch's
convention (F.scaled_dot_product_attention) True means "may attend"; nn.MultiheadAttention's
key_padding_mask uses the opposite (True = ignore), which is where the confusion comes from.
Fix: scores.masked_fill(~mask, float("-inf"))."""

import math

import torch

from solutions.attention.sdpa import *  # noqa: F401,F403 (the rest is correct)


def scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=False, scale=None):
    L, S = q.shape[-2], k.shape[-2]
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    scores = (q @ k.transpose(-2, -1)) * scale
    if is_causal:
        scores = scores.masked_fill(~torch.ones(L, S, dtype=torch.bool).tril(), float("-inf"))
    elif attn_mask is not None:
        scores = (scores.masked_fill(attn_mask, float("-inf")) if attn_mask.dtype == torch.bool  # wrong
                  else scores + attn_mask)
    weights = scores.softmax(dim=-1)
    weights = weights.masked_fill((scores == float("-inf")).all(-1, keepdim=True), 0.0)
    return weights @ v

"""Fully masked rows zeroed only AFTER the softmax: the forward returns zeros, but the
softmax of a row of -inf is NaN, and its backward y * (g - sum(g * y)) turns that NaN into a
NaN gradient for q and, through a float mask, for k and v too: one padded row poisons a whole
training step. torch's gradient for such a row is 0.

Fix: replace the scores of fully masked rows by 0 before the softmax, then zero their weights.
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
        scores = (scores.masked_fill(~attn_mask, float("-inf")) if attn_mask.dtype == torch.bool
                  else scores + attn_mask)
    weights = scores.softmax(dim=-1)  # wrong: NaN rows still in the graph
    weights = weights.masked_fill((scores == float("-inf")).all(-1, keepdim=True), 0.0)
    return weights @ v

"""Float mask scaled together with the scores: (q @ k^T + mask) * scale shrinks the bias by
the scale too. torch adds the mask AFTER scaling: q @ k^T * scale + mask, so a bias (ALiBi,
relative positions) means the same thing whatever the head size."""

import math

import torch

from solutions.attention.sdpa import *  # noqa: F401,F403 (the rest is correct)


def scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=False, scale=None):
    L, S = q.shape[-2], k.shape[-2]
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    scores = q @ k.transpose(-2, -1)
    if is_causal:
        attn_mask = torch.ones(L, S, dtype=torch.bool).tril()
    if attn_mask is not None:
        scores = (scores.masked_fill(~attn_mask, float("-inf")) if attn_mask.dtype == torch.bool
                  else scores + attn_mask)  # wrong: the bias gets scaled below
    scores = scores * scale
    weights = scores.softmax(dim=-1)
    weights = weights.masked_fill((scores == float("-inf")).all(-1, keepdim=True), 0.0)
    return weights @ v

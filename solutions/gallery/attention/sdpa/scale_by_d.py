"""Scale by 1/d instead of 1/sqrt(d): the dot product of two random d-dimensional vectors
with unit-variance entries has variance d, so dividing by sqrt(d) brings the scores back to
unit variance. Dividing by d shrinks them by another sqrt(d), flattening the softmax towards
a uniform average as heads get wider. Fix: scale = 1 / math.sqrt(q.shape[-1])."""

import torch

from solutions.attention.sdpa import *  # noqa: F401,F403 (the rest is correct)


def scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=False, scale=None):
    L, S = q.shape[-2], k.shape[-2]
    if scale is None:
        scale = 1.0 / q.shape[-1]  # wrong: 1 / d
    scores = (q @ k.transpose(-2, -1)) * scale
    if is_causal:
        attn_mask = torch.ones(L, S, dtype=torch.bool).tril()
    if attn_mask is not None:
        scores = (scores.masked_fill(~attn_mask, float("-inf")) if attn_mask.dtype == torch.bool
                  else scores + attn_mask)
    weights = scores.softmax(dim=-1)
    weights = weights.masked_fill((scores == float("-inf")).all(-1, keepdim=True), 0.0)
    return weights @ v

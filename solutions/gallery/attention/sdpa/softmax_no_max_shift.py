"""Hand-written softmax without subtracting the row max: exp(score) overflows float32 once a
score passes ~88, so rows with scores of +-100 become inf / inf = NaN. Attention scores that
large are ordinary (sharp heads, large activations).

Fix: weights = exp(scores - scores.amax(-1, keepdim=True)) / sum, or torch.softmax.
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
    hidden = (scores == float("-inf")).all(-1, keepdim=True)
    e = scores.masked_fill(hidden, 0.0).exp()  # wrong: no max shift, exp(100) = inf
    weights = (e / e.sum(-1, keepdim=True)).masked_fill(hidden, 0.0)
    return weights @ v

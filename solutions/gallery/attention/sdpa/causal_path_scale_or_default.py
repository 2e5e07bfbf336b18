"""A separate is_causal path that reads the scale as `scale or 1 / sqrt(E)`: the attn_mask path
checks `scale is None`, but here an explicit scale=0.0 (every score 0: each query averages
the keys it may see) is replaced by the default, only when is_causal=True.

Fix: `if scale is None: scale = 1 / math.sqrt(E)` once, before the paths split.
"""

import math

import torch

from solutions.attention.sdpa import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.sdpa import scaled_dot_product_attention as _correct


def scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=False, scale=None):
    if not is_causal:
        return _correct(q, k, v, attn_mask=attn_mask, scale=scale)
    if attn_mask is not None:
        raise ValueError("give attn_mask or is_causal, not both")
    L, S = q.shape[-2], k.shape[-2]
    scale = scale or 1.0 / math.sqrt(q.shape[-1])  # wrong: an explicit 0.0 becomes the default
    scores = (q @ k.transpose(-2, -1)) * scale
    keep = torch.ones(L, S, dtype=torch.bool, device=q.device).tril()
    return scores.masked_fill(~keep, float("-inf")).softmax(dim=-1) @ v

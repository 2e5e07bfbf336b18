"""A separate is_causal path with a hand-written stable softmax (`scores.amax(-1, keepdim=True)`):
a causal mask never hides a whole row, so the path skips the fully-masked-row handling, but
with S = 0 keys the max over an empty dim raises (the attn_mask path uses torch.softmax and
returns zeros, as torch does).

Fix: handle S = 0 in every path (skip the max, or use torch.softmax, which takes empty dims).
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
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    scores = (q @ k.transpose(-2, -1)) * scale
    keep = torch.ones(L, S, dtype=torch.bool, device=q.device).tril()
    scores = scores.masked_fill(~keep, float("-inf"))
    e = (scores - scores.amax(-1, keepdim=True)).exp()  # wrong: raises for S = 0
    return (e / e.sum(-1, keepdim=True)) @ v

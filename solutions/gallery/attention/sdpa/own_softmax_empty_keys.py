"""Hand-written stable softmax with `scores.amax(-1, keepdim=True)`: right everywhere except
S = 0 keys, where a max over an empty dim raises. With no key at all every row is fully
masked and the contract (like torch) returns zeros.

Fix: skip the max when S == 0 (or use torch.softmax, which handles empty dims).
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
    scores = scores.masked_fill(hidden, 0.0)
    e = (scores - scores.amax(-1, keepdim=True)).exp()  # wrong: raises for S = 0
    weights = (e / e.sum(-1, keepdim=True)).masked_fill(hidden, 0.0)
    return weights @ v

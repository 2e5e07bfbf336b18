"""A shortcut for S = 1 without a mask (one key: its weight is exactly 1, so every query row is
that key's value, causal or not) that returns v.detach() expanded to L rows: the values are
right, but no gradient reaches v whenever there is a single key.

Fix: v.expand(..., L, Ev).clone() keeps the graph (or skip the shortcut).
"""

from solutions.attention.sdpa import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.sdpa import scaled_dot_product_attention as _correct


def scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=False, scale=None):
    L, S = q.shape[-2], k.shape[-2]
    if S == 1 and attn_mask is None:
        return v.detach().expand(*v.shape[:-2], L, v.shape[-1]).clone()  # wrong: cut from the graph
    return _correct(q, k, v, attn_mask=attn_mask, is_causal=is_causal, scale=scale)

"""Computes in float32 and casts back: `q.float() @ k.float()...` then `.to(q.dtype)` keeps
the dtype but throws away float64's accuracy (errors ~1e-7 instead of ~1e-16), which breaks
gradcheck-grade comparisons and any float64 reference check.

Fix: compute in q's dtype; never call .float() on the inputs.
"""

from solutions.attention.sdpa import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention import sdpa as _ref


def scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=False, scale=None):
    if attn_mask is not None and attn_mask.is_floating_point():
        attn_mask = attn_mask.float()
    out = _ref.scaled_dot_product_attention(q.float(), k.float(), v.float(), attn_mask=attn_mask,
                                            is_causal=is_causal, scale=scale)  # wrong: float32 detour
    return out.to(q.dtype)

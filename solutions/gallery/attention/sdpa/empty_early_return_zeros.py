"""An early return for empty inputs, `if S == 0 or L == 0: return torch.zeros(..., Ev)`,
built with no dtype= and no device=: the shape is right, but the zeros follow the default
dtype (float32 for float64 inputs) and live on the CPU whatever q's device is, so a float64
or GPU caller gets a tensor of another dtype or device back.

Fix: q.new_zeros(*q.shape[:-1], v.shape[-1]) (q's dtype and device), or no early return:
the general path already gives zeros for S = 0 when fully masked rows are handled.
"""

import torch

from solutions.attention.sdpa import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention import sdpa as _ref


def scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=False, scale=None):
    if k.shape[-2] == 0 or q.shape[-2] == 0:
        return torch.zeros(*q.shape[:-1], v.shape[-1])  # wrong: default dtype, CPU
    return _ref.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, is_causal=is_causal, scale=scale)

"""`scale = scale or 1 / sqrt(E)`: an explicit scale=0.0 is falsy, so it is silently replaced
by the default and the scores keep their full size. Only None means "not given"; scale=0.0
is a real choice (every score 0, a uniform average of the values).

Fix: `if scale is None: scale = 1.0 / math.sqrt(q.shape[-1])`.
"""

import math

from solutions.attention.sdpa import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention import sdpa as _ref


def scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=False, scale=None):
    scale = scale or 1.0 / math.sqrt(q.shape[-1])  # wrong: 0.0 reads as "not given"
    return _ref.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, is_causal=is_causal, scale=scale)

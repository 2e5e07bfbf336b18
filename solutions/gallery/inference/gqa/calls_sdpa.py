"""Calls the built-in: F.scaled_dot_product_attention(q, k, v, enable_gqa=True) gives the
right values, but the kata is to write the grouping yourself (and, on CPU, the built-in's
math path copies K and V per query head with repeat_interleave).

Fix: write softmax(q k^T / sqrt(D)) v with the G query heads of a group folded into the
query axis."""

import torch.nn.functional as F

from solutions.inference.gqa import *  # noqa: F401,F403 (the rest is correct)


def grouped_query_attention(q, k, v, is_causal=False):
    if q.shape[1] % k.shape[1] != 0:
        raise ValueError("Hq must be a multiple of Hkv")
    return F.scaled_dot_product_attention(q, k, v, is_causal=is_causal, enable_gqa=True)

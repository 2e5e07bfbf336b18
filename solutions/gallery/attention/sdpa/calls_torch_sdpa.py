"""Calls the built-in: F.scaled_dot_product_attention gives the right numbers, but this kata
asks you to write attention yourself (scores, scale, mask, softmax over the keys, weights @ v);
the forbidden-call spec names the function you called."""

import torch.nn.functional as F

from solutions.attention.sdpa import *  # noqa: F401,F403 (the rest is correct)


def scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=False, scale=None):
    return F.scaled_dot_product_attention(q, k, v, attn_mask=attn_mask, is_causal=is_causal, scale=scale)

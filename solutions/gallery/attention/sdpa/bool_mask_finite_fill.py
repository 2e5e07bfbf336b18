"""Hidden keys filled with a finite -1e9 instead of -inf (the tutorials' stand-in), fully
masked rows found from the bool mask and zeroed. Fine while the allowed scores stay above
-1e9, but the scale may be anything: at scale=2e9 the allowed scores are -2e9 and below, the
hidden key's -1e9 is then the row's largest score and takes all the weight.

Fix: masked_fill(~mask, float('-inf')), and zero the rows whose scores are all -inf."""

import math

import torch

from solutions.attention.sdpa import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.sdpa import scaled_dot_product_attention as _ref


def scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=False, scale=None):
    if attn_mask is None or attn_mask.dtype != torch.bool:
        return _ref(q, k, v, attn_mask, is_causal, scale)
    if is_causal:
        raise ValueError("give attn_mask or is_causal, not both")
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    scores = (q @ k.transpose(-2, -1)) * scale
    scores = scores.masked_fill(~attn_mask, -1e9)
    hidden = (~attn_mask).expand(scores.shape).all(dim=-1, keepdim=True)
    return scores.softmax(dim=-1).masked_fill(hidden, 0.0) @ v

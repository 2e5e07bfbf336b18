"""Causal mask aligned bottom-right: tril(diagonal=S - L) lets query i see keys j <= i + S - L,
the convention of a decoder step whose queries are the LAST L of S positions (a KV cache).
torch's is_causal (and this kata) aligns top-left instead: query i sees keys j <= i, i.e.
torch.ones(L, S, dtype=torch.bool).tril(). The two agree only when L == S."""

import math

import torch

from solutions.attention.sdpa import *  # noqa: F401,F403 (the rest is correct)


def scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=False, scale=None):
    L, S = q.shape[-2], k.shape[-2]
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    scores = (q @ k.transpose(-2, -1)) * scale
    if is_causal:
        attn_mask = torch.ones(L, S, dtype=torch.bool).tril(diagonal=S - L)  # wrong alignment
    if attn_mask is not None:
        scores = (scores.masked_fill(~attn_mask, float("-inf")) if attn_mask.dtype == torch.bool
                  else scores + attn_mask)
    weights = scores.softmax(dim=-1)
    weights = weights.masked_fill((scores == float("-inf")).all(-1, keepdim=True), 0.0)
    return weights @ v

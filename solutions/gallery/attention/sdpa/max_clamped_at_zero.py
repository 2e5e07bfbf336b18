"""Hand-written softmax whose row max is clamped at 0 (`amax(...).clamp_min(0)`), to keep
the -inf max of a fully masked row out of `scores - max`. Rows with a positive max are
fine, but a row whose scores are all very negative (an additive mask near -150, a long
ALiBi distance) is then shifted by 0: exp(-150) underflows float32 to 0 and the row
becomes 0 / 0 or zeros instead of a proper average.

Fix: subtract each row's own max whatever its sign; handle fully masked rows (max = -inf)
separately, e.g. replace their scores by 0 before the softmax and zero their weights.
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
    if S == 0:
        return torch.zeros(*scores.shape[:-1], v.shape[-1], dtype=q.dtype, device=q.device)
    m = scores.amax(-1, keepdim=True).clamp_min(0.0)  # wrong: a row max of -150 is not shifted
    e = (scores - m).exp()
    total = e.sum(-1, keepdim=True)
    weights = torch.where(total > 0, e / total.clamp_min(1e-30), torch.zeros_like(e))
    return weights @ v

"""einsum scores and a hand-written max-shifted softmax, masks turned into an additive bias."""

import math

import torch


def scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=False, scale=None):
    L, S = q.shape[-2], k.shape[-2]
    s = 1.0 / math.sqrt(q.shape[-1]) if scale is None else scale
    scores = torch.einsum("...le,...se->...ls", q, k) * s
    if is_causal:
        i = torch.arange(L, device=q.device)[:, None]
        j = torch.arange(S, device=q.device)[None, :]
        attn_mask = j <= i
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            bias = torch.zeros(attn_mask.shape, dtype=q.dtype, device=q.device)
            bias = bias.masked_fill(attn_mask.logical_not(), -math.inf)
        else:
            bias = attn_mask
        scores = scores + bias
    if S == 0:
        return torch.zeros(*scores.shape[:-1], v.shape[-1], dtype=q.dtype, device=q.device)
    dead = torch.isneginf(scores).all(dim=-1, keepdim=True)
    scores = torch.where(dead, torch.zeros_like(scores), scores)
    e = torch.exp(scores - scores.amax(dim=-1, keepdim=True))
    w = e / e.sum(dim=-1, keepdim=True)
    w = torch.where(dead, torch.zeros_like(w), w)
    return torch.einsum("...ls,...sv->...lv", w, v)

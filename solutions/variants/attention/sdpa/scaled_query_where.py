"""Query scaled before the product, masks applied with torch.where on the weights after a
softmax over finite scores only, fully masked rows found from the mask itself."""

import math

import torch


def scaled_dot_product_attention(q, k, v, attn_mask=None, is_causal=False, scale=None):
    L, S = q.shape[-2], k.shape[-2]
    if scale is None:
        scale = q.shape[-1] ** -0.5
    scores = torch.matmul(q * scale, k.transpose(-1, -2))
    allowed = None
    if is_causal:
        allowed = torch.ones(L, S, dtype=torch.bool, device=q.device).tril()
    elif attn_mask is not None and attn_mask.dtype == torch.bool:
        allowed = attn_mask
    elif attn_mask is not None:
        scores = scores + attn_mask
    if allowed is not None:
        allowed = allowed.expand(scores.shape)
    finite = ~torch.isneginf(scores)
    allowed = finite if allowed is None else allowed & finite
    safe = torch.where(allowed, scores, torch.full_like(scores, -math.inf))
    any_key = allowed.any(dim=-1, keepdim=True)
    safe = torch.where(any_key, safe, torch.zeros_like(safe))
    w = torch.softmax(safe, dim=-1)
    w = torch.where(any_key, w, torch.zeros_like(w))
    return torch.matmul(w, v)

"""Causal mask sliced from a tril table made once at import, _TRIL = torch.ones(1024, 1024).tril():
_TRIL[:L, :S] is too small once L or S passes 1024, and the broadcast fails.

Fix: build torch.ones(L, S, dtype=torch.bool, device=q.device).tril() at every call.
"""

import math

import torch
_TRIL = torch.ones(1024, 1024, dtype=torch.bool).tril()


def scaled_dot_product_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                                 attn_mask: torch.Tensor | None = None, is_causal: bool = False,
                                 scale: float | None = None) -> torch.Tensor:
    """softmax(q k^T * scale + mask) v over the keys: (..., L, E), (..., S, E), (..., S, Ev) -> (..., L, Ev)."""
    if is_causal and attn_mask is not None:
        raise ValueError("give attn_mask or is_causal, not both")
    L, S = q.shape[-2], k.shape[-2]
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1])
    scores = (q @ k.transpose(-2, -1)) * scale  # (..., L, S)

    if is_causal:  # top-left aligned: query i sees keys 0..i
        attn_mask = _TRIL[:L, :S].to(q.device)  # wrong: capped at 1024
    if attn_mask is not None:
        if attn_mask.dtype == torch.bool:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
        else:
            scores = scores + attn_mask

    # A row with every key hidden is softmax(-inf, ..., -inf) = NaN: give it zeros, like torch.
    # The row is replaced BEFORE the softmax too, so no NaN reaches the backward either.
    all_hidden = (scores == float("-inf")).all(dim=-1, keepdim=True)
    scores = scores.masked_fill(all_hidden, 0.0)
    weights = scores.softmax(dim=-1).masked_fill(all_hidden, 0.0)  # over the keys
    return weights @ v

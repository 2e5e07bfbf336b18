"""Causal mask cached in a module-level dict keyed by (L, S) only: the mask made at a CPU call is
reused when the same L, S comes on a GPU, and masked_fill mixes devices.

Fix: build the mask on q.device at every call (or key the cache by device too).
"""

import math

import torch
_C = {}


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
        if (L, S) not in _C: _C[(L, S)] = torch.ones(L, S, dtype=torch.bool, device=q.device).tril()
        attn_mask = _C[(L, S)]  # wrong: keyed by shape, not device
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

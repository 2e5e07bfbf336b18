"""The causal mask is kept as an additive 0 / -inf bias in a module-level dict keyed by
(L, S, device), in the dtype of the first call: after a float64 call, a float32 call of the
same sizes adds a float64 bias to float32 scores, and the output comes back float64.

Fix: build the mask at every call (bool, or with dtype=q.dtype), or put q.dtype in the key."""

import torch

import solutions.attention.sdpa as _correct
from solutions.attention.sdpa import *  # noqa: F401,F403 (the rest is correct)

_BIAS = {}


def scaled_dot_product_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                                 attn_mask: torch.Tensor | None = None, is_causal: bool = False,
                                 scale: float | None = None) -> torch.Tensor:
    """softmax(q k^T * scale + mask) v over the keys: (..., L, E), (..., S, E), (..., S, Ev) -> (..., L, Ev)."""
    if is_causal and attn_mask is None:
        L, S = q.shape[-2], k.shape[-2]
        key = (L, S, q.device)
        if key not in _BIAS:  # wrong: the dtype of the first call is kept for every later one
            hidden = ~torch.ones(L, S, dtype=torch.bool, device=q.device).tril()
            _BIAS[key] = torch.zeros(L, S, dtype=q.dtype, device=q.device).masked_fill(hidden, float("-inf"))
        return _correct.scaled_dot_product_attention(q, k, v, attn_mask=_BIAS[key], scale=scale)
    return _correct.scaled_dot_product_attention(q, k, v, attn_mask, is_causal, scale)

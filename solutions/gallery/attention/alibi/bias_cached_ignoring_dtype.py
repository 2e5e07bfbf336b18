"""alibi_attention keeps its (H, L, S) bias (mask included) in a module-level dict keyed by
sizes, causal and device but not dtype, and casts it with .to(q.dtype): after a float32 call,
a float64 call of the same sizes gets slopes such as 2^-0.5 rounded to float32 (~1e-8 off).

Fix: build the bias at every call in q.dtype, or put q.dtype in the key."""

import torch

from solutions.attention.alibi import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.alibi import _attend, _bias

_BIAS = {}


def alibi_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = True) -> torch.Tensor:
    H, L, S = q.shape[-3], q.shape[-2], k.shape[-2]
    key = (H, L, S, causal, q.device)
    if key not in _BIAS:
        bias = _bias(H, L, S, q.dtype, q.device)
        if causal:
            hidden = ~torch.ones(L, S, dtype=torch.bool, device=q.device).tril()
            bias = bias.masked_fill(hidden, float("-inf"))
        _BIAS[key] = bias
    return _attend(q, k, v, _BIAS[key].to(q.dtype))

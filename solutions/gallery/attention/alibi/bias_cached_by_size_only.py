"""The bias (slopes, positions and causal mask) is kept in a module-level dict keyed by
(heads, L, S, causal, dtype), built on q.device at the first call. Calls on the CPU then
on a GPU with the same sizes reuse the CPU bias, and the GPU scores meet a CPU tensor.

Fix: build the bias at every call on q.device (it is cheap), or put q.device in the key."""

import torch

from solutions.attention.alibi import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.alibi import _attend, _bias

_BIASES = {}


def alibi_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, causal: bool = True) -> torch.Tensor:
    H, L, S = q.shape[-3], q.shape[-2], k.shape[-2]
    key = (H, L, S, causal, q.dtype)
    if key not in _BIASES:
        bias = _bias(H, L, S, q.dtype, q.device)
        if causal:
            bias = bias.masked_fill(~torch.ones(L, S, dtype=torch.bool, device=q.device).tril(), float("-inf"))
        _BIASES[key] = bias
    return _attend(q, k, v, _BIASES[key])

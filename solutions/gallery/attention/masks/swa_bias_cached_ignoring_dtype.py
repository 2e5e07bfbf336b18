"""sliding_window_attention keeps its per-block 0 / -inf biases in a module-level dict keyed by
(T, window, causal, device), in the dtype of the first call: after a float64 call, a float32
call of the same sizes adds float64 biases to its float32 scores, and the matmul with v fails
(or the output comes back float64).

Fix: build the block masks at every call (bool, or with dtype=q.dtype), or put q.dtype in
the key."""

import math

import torch

from solutions.attention.masks import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.masks import _window_allowed

_BIAS = {}


def sliding_window_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, window: int,
                             causal: bool = True) -> torch.Tensor:
    T = q.shape[-2]
    scale = 1.0 / math.sqrt(q.shape[-1])
    block = max(window, 32)
    key = (T, window, causal, q.device)  # wrong: no dtype in the key
    if key not in _BIAS:
        pos = torch.arange(T, device=q.device)
        biases = []
        for start in range(0, T, block):
            stop = min(start + block, T)
            lo = max(0, start - window + 1) if causal else max(0, start - window)
            hi = stop if causal else min(T, stop + window)
            allowed = _window_allowed(pos[start:stop, None], pos[None, lo:hi], window, causal)
            biases.append(torch.zeros(allowed.shape, dtype=q.dtype, device=q.device)
                          .masked_fill(~allowed, float("-inf")))
        _BIAS[key] = biases
    outs = []
    for n, start in enumerate(range(0, T, block)):
        stop = min(start + block, T)
        lo = max(0, start - window + 1) if causal else max(0, start - window)
        hi = stop if causal else min(T, stop + window)
        scores = (q[..., start:stop, :] @ k[..., lo:hi, :].transpose(-2, -1)) * scale + _BIAS[key][n]
        outs.append(scores.softmax(dim=-1) @ v[..., lo:hi, :])
    if not outs:
        return q.new_zeros(*q.shape[:-1], v.shape[-1])
    return torch.cat(outs, dim=-2)

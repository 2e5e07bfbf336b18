"""sliding_window_attention keeps each block's mask in a module-level dict keyed by the
block's position and the window alone, built on the device of the first call: after a CPU
call, a GPU call of the same sizes masks GPU scores with CPU masks.

Fix: build the masks at every call on q.device (torch.arange(T, device=q.device)), or put
q.device in the key."""

import math

import torch

from solutions.attention.masks import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.masks import _window_allowed

_ALLOWED = {}


def sliding_window_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, window: int,
                             causal: bool = True) -> torch.Tensor:
    T = q.shape[-2]
    scale = 1.0 / math.sqrt(q.shape[-1])
    block = max(window, 32)
    outs = []
    for start in range(0, T, block):
        stop = min(start + block, T)
        lo = max(0, start - window + 1) if causal else max(0, start - window)
        hi = stop if causal else min(T, stop + window)
        key = (start, stop, lo, hi, window, causal)
        if key not in _ALLOWED:
            pos = torch.arange(T, device=q.device)
            _ALLOWED[key] = _window_allowed(pos[start:stop, None], pos[None, lo:hi], window, causal)
        scores = (q[..., start:stop, :] @ k[..., lo:hi, :].transpose(-2, -1)) * scale
        outs.append(scores.masked_fill(~_ALLOWED[key], float("-inf")).softmax(dim=-1) @ v[..., lo:hi, :])
    if not outs:
        return q.new_zeros(*q.shape[:-1], v.shape[-1])
    return torch.cat(outs, dim=-2)

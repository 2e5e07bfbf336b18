"""linear_bias_attention keeps its (L, S) table of i - j in a module-level dict keyed by
(L, S, dtype), built on the device of the first call; after a CPU call, a GPU call of the
same sizes adds the CPU table to GPU scores.

Fix: build the positions at every call with torch.arange(..., device=q.device), or put
q.device in the key."""

import torch

from solutions.attention.alibi import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.alibi import _attend

_POSITIONS = {}


def linear_bias_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, alpha: float) -> torch.Tensor:
    L, S = q.shape[-2], k.shape[-2]
    if (L, S, q.dtype) not in _POSITIONS:
        i, j = torch.arange(L, device=q.device), torch.arange(S, device=q.device)
        _POSITIONS[L, S, q.dtype] = (i[:, None] - j[None, :]).to(q.dtype)
    return _attend(q, k, v, alpha * _POSITIONS[L, S, q.dtype])

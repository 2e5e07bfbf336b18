"""Caches the i - j table per (M, N) at module level, built in the FIRST call's dtype: a
float64 call after a float32 call of the same sizes reuses the float32 table, so
alpha * (i - j) is rounded to float32 and the result is only float32-accurate. The contract
computes in q's dtype at every call.

Fix: build the table at every call (it is cheap), or key any cache on dtype and device too.
"""

import math

import torch

from solutions.attention.alibi import *  # noqa: F401,F403 (the rest is correct)

_TABLES = {}


def _relative(M, N, dtype, device):
    if (M, N) not in _TABLES:  # wrong: keyed on the sizes only
        _TABLES[(M, N)] = (torch.arange(M, device=device)[:, None]
                           - torch.arange(N, device=device)[None, :]).to(dtype)
    return _TABLES[(M, N)]


def linear_bias_attention(q, k, v, alpha):
    rel = _relative(q.shape[-2], k.shape[-2], q.dtype, q.device)
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]) + alpha * rel
    return scores.softmax(-1) @ v

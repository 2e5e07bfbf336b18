"""alibi_slopes and alibi_bias are wrapped in functools.lru_cache: every caller gets the SAME
tensor. A caller that writes into it (bias.masked_fill_(mask, float("-inf")) for a causal
model, slopes.mul_(...)) changes what every later call with the same arguments returns.

Fix: return a new tensor at every call (building it is cheap); cache the Python list of
slopes if you like, or return cached.clone()."""

import functools

import torch

import solutions.attention.alibi as _reference
from solutions.attention.alibi import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.alibi import _bias


@functools.lru_cache(maxsize=None)
def alibi_slopes(n_heads: int) -> torch.Tensor:
    return _reference.alibi_slopes(n_heads)


@functools.lru_cache(maxsize=None)
def alibi_bias(n_heads: int, L: int, S: int) -> torch.Tensor:
    return _bias(n_heads, L, S, torch.float32, None)

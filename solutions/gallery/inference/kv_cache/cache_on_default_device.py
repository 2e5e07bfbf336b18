"""Ignores `device`: KVCache's buffers are made with torch.zeros(..., dtype=dtype) on the
default device. A cache asked for on "cuda" lives on the CPU: the first update copies the
GPU's keys to the host (or fails with a device mismatch), and attention then runs across
devices.

Fix: torch.zeros(batch, n_heads, max_len, head_dim, dtype=dtype, device=device)."""

import torch

from solutions.inference.kv_cache import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.kv_cache import KVCache as _Correct


class KVCache(_Correct):
    def __init__(self, batch, n_heads, max_len, head_dim, dtype=torch.float32, device=None):
        super().__init__(batch, n_heads, max_len, head_dim, dtype=dtype)  # device dropped

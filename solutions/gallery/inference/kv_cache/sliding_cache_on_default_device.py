"""SlidingWindowCache ignores `device`: its ring buffers are built on the default device
(torch.zeros(batch, n_heads, window, head_dim, dtype=dtype)), so a cache made for "cuda" sits
on the CPU and every decode step moves keys across devices or fails.

Fix: pass device=device to the buffers (as KVCache does)."""

import torch

from solutions.inference.kv_cache import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.kv_cache import SlidingWindowCache as _Correct


class SlidingWindowCache(_Correct):
    def __init__(self, batch, n_heads, window, head_dim, dtype=torch.float32, device=None):
        super().__init__(batch, n_heads, window, head_dim, dtype=dtype)  # device dropped

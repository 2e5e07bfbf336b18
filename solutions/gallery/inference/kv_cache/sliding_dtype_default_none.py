"""SlidingWindowCache's dtype defaults to None instead of torch.float32 (HF's caches take
dtype=None): torch.zeros(..., dtype=None) follows torch's default dtype, so a cache made under
torch.set_default_dtype(torch.float64) holds float64 buffers and hands a float32 model float64
keys and values (attention then fails on mixed dtypes, or silently promotes).

Fix: keep the contract's default, dtype=torch.float32."""

import torch

from solutions.inference.kv_cache import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.kv_cache import SlidingWindowCache as _Correct


class SlidingWindowCache(_Correct):
    def __init__(self, batch, n_heads, window, head_dim, dtype=None, device=None):
        super().__init__(batch, n_heads, window, head_dim, dtype=dtype, device=device)

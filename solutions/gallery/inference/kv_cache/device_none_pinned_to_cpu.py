"""device=None turned into the CPU (`device or "cpu"`) in both caches: None means the default
device, so after torch.set_default_device("cuda") a cache made without device= still lives
on the host, and every update copies the GPU's keys across (or fails with a device mismatch).

Fix: pass device=device to torch.zeros as it is; torch reads None as the default device."""

import torch

from solutions.inference.kv_cache import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.kv_cache import KVCache as _KV, SlidingWindowCache as _Sliding


class KVCache(_KV):
    def __init__(self, batch, n_heads, max_len, head_dim, dtype=torch.float32, device=None):
        super().__init__(batch, n_heads, max_len, head_dim, dtype=dtype, device=device or "cpu")  # wrong


class SlidingWindowCache(_Sliding):
    def __init__(self, batch, n_heads, window, head_dim, dtype=torch.float32, device=None):
        super().__init__(batch, n_heads, window, head_dim, dtype=dtype, device=device or "cpu")  # wrong

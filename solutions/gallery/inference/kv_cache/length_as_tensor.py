"""Keeps length as a 0-dim tensor (self.length = torch.tensor(0), then += T). Slicing and the
values still work, but the contract says an int: a tensor length compares equal yet breaks
code that uses it as a size or an index (range(cache.length), a RoPE offset that must be a
Python number, max_len - length in a generate loop), and on a GPU every read of it syncs.

Fix: self.length = 0 and self.length += T: a plain int."""

import torch

from solutions.inference.kv_cache import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.kv_cache import KVCache as _Correct


class KVCache(_Correct):
    def __init__(self, batch, n_heads, max_len, head_dim, dtype=torch.float32, device=None):
        super().__init__(batch, n_heads, max_len, head_dim, dtype=dtype, device=device)
        self.length = torch.tensor(0)

    def update(self, k, v):
        start, end = self.length, self.length + k.shape[2]
        if end > self.max_len:
            raise ValueError(f"KVCache holds {self.max_len} positions; {int(end)} asked for")
        self.k[:, :, start:end] = k
        self.v[:, :, start:end] = v
        self.length = end
        return self.k[:, :, :end], self.v[:, :, :end]

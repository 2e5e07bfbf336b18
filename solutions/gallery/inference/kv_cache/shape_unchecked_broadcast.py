"""Writes k and v into the buffer without checking their shape. Slice assignment broadcasts:
k of batch 1 (or of 1 head) lands in EVERY row (or head) of a batch-3 cache without an error,
so one sequence's keys silently overwrite the others'; other mismatches fail later with a
RuntimeError about sizes instead of a ValueError saying what is wrong.

Fix: compare k.shape and v.shape with (batch, n_heads, T, head_dim) first and raise
ValueError naming both shapes."""

from solutions.inference.kv_cache import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.kv_cache import KVCache as _Correct


class KVCache(_Correct):
    def update(self, k, v):
        start, end = self.length, self.length + k.shape[2]
        if end > self.max_len:
            raise ValueError(f"KVCache holds {self.max_len} positions; {end} asked for")
        self.k[:, :, start:end] = k
        self.v[:, :, start:end] = v
        self.length = end
        return self.k[:, :, :end], self.v[:, :, :end]

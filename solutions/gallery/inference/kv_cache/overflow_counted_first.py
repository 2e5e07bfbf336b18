"""Adds T to length first and checks afterwards: self.length += T; if self.length > max_len:
raise ValueError. The error is raised, but the refused update has already moved length past
the stored positions, so the cache is broken for good: the next (valid) update writes at the
wrong place or is refused too. A caller that catches the error (to evict, or to stop
generating one sequence) cannot go on.

Fix: compute end = length + T, raise if end > max_len, and only then write and set
length = end."""

import torch

from solutions.inference.kv_cache import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.kv_cache import KVCache as _Correct


class KVCache(_Correct):
    def update(self, k, v):
        start = self.length
        self.length += k.shape[2]
        if self.length > self.max_len:
            raise ValueError(f"KVCache holds {self.max_len} positions; {self.length} asked for")
        self.k[:, :, start:self.length] = k
        self.v[:, :, start:self.length] = v
        return self.k[:, :, :self.length], self.v[:, :, :self.length]

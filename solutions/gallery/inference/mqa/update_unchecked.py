"""Writes k and v into the buffer without any check: no shape check and no max_len check.
Slice assignment broadcasts, so k of batch 1 lands in EVERY row of a batch-2 cache without an
error (one sequence's keys overwrite the others'), and an update past max_len fails with a
RuntimeError about sizes (or, for a start past the end, stores nothing) instead of the
ValueError the contract promises.

Fix: check k.shape and v.shape against (batch, 1, T, head_dim) and length + T <= max_len
before writing, and raise ValueError otherwise."""

from solutions.inference.mqa import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.mqa import MQACache as _Correct


class MQACache(_Correct):
    def update(self, k, v):
        start, end = self.length, self.length + k.shape[2]
        self.k[:, :, start:end] = k
        self.v[:, :, start:end] = v
        self.length = end
        return self.k[:, :, :end], self.v[:, :, :end]

"""Checks k's shape in full but v only for its number of positions: a v of batch 1 (or
another head_dim) next to a right k is written by slice assignment, which broadcasts the one
row of values into EVERY sequence of the batch without an error.

Fix: check v against (batch, 1, T, head_dim) as fully as k, before writing anything."""

from solutions.inference.mqa import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.mqa import MQACache as _Correct


class MQACache(_Correct):
    def update(self, k, v):
        B, _, _, hd = self.k.shape
        if k.dim() != 4 or (k.shape[0], k.shape[1], k.shape[3]) != (B, 1, hd):
            raise ValueError(f"k has shape {tuple(k.shape)}; this cache expects ({B}, 1, T, {hd})")
        if v.dim() != 4 or v.shape[2] != k.shape[2]:  # the mistake: v's batch and head_dim unchecked
            raise ValueError(f"v has shape {tuple(v.shape)}; k has {k.shape[2]} positions")
        start, end = self.length, self.length + k.shape[2]
        if end > self.k.shape[2]:
            raise ValueError(f"the cache holds {self.k.shape[2]} positions; {end} were asked for")
        self.k[:, :, start:end] = k
        self.v[:, :, start:end] = v
        self.length = end
        return self.k[:, :, :end], self.v[:, :, :end]

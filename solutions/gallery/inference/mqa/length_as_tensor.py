"""Keeps length as a 0-dim tensor (self.length = torch.tensor(0), then += T). Slicing and the
values still work, but the contract says an int: a tensor length compares equal yet breaks
code that uses it as a size or a Python index (range(cache.length), max_len - length in a
generate loop, a dict key), and every comparison becomes a tensor op.

Fix: self.length = 0 in __init__ and self.length += T (a plain int)."""

import torch

from solutions.inference.mqa import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.mqa import MQACache as _Correct


class MQACache(_Correct):
    def __init__(self, batch, max_len, head_dim, dtype=torch.float32, device=None):
        super().__init__(batch, max_len, head_dim, dtype=dtype, device=device)
        self.length = torch.tensor(0)

    def update(self, k, v):
        start, end = self.length, self.length + k.shape[2]
        self.k[:, :, start:end] = k
        self.v[:, :, start:end] = v
        self.length = end
        return self.k[:, :, :end], self.v[:, :, :end]

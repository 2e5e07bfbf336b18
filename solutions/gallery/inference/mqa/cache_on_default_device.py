"""Ignores `device`: the buffers are made with torch.zeros(..., dtype=dtype) on the default
device. A cache asked for on "cuda" then lives on the CPU, and the first update copies the
GPU's keys into host memory (or fails with a device mismatch).

Fix: torch.zeros(batch, 1, max_len, head_dim, dtype=dtype, device=device)."""

import torch

from solutions.inference.mqa import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.mqa import MQACache as _Correct


class MQACache(_Correct):
    def __init__(self, batch, max_len, head_dim, dtype=torch.float32, device=None):
        self.k = torch.zeros(batch, 1, max_len, head_dim, dtype=dtype)
        self.v = torch.zeros(batch, 1, max_len, head_dim, dtype=dtype)
        self.length = 0

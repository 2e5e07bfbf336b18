"""Handles T = 0 with an early `return torch.zeros(*q.shape[:-1], v.shape[-1])`: the shape
is right, but with no dtype= the zeros are float32 (the default) for float64 inputs, and
with no device= they stay on the CPU: the empty case returns another dtype than every
other call.

Fix: q.new_zeros(*q.shape[:-1], v.shape[-1]) keeps q's dtype and device.
"""

import torch

from solutions.attention.masks import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention import masks as _ref


def sliding_window_attention(q, k, v, window, causal=True):
    if q.shape[-2] == 0:
        return torch.zeros(*q.shape[:-1], v.shape[-1])  # wrong: default dtype, CPU
    return _ref.sliding_window_attention(q, k, v, window, causal)

"""A shortcut for causal window = 1 (each query sees only itself: the output is v, row by row)
written as v times a column of ones made with torch.ones(T, 1) and no dtype=/device=: under
torch.set_default_dtype(torch.float64) float32 inputs come back float64, and on another device
the ones sit on the CPU. The contract asks for q's dtype and helpers on q.device.

Fix: v.clone(), or torch.ones(T, 1, dtype=v.dtype, device=v.device)."""

import torch

from solutions.attention.masks import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.masks import sliding_window_attention as _blocked


def sliding_window_attention(q, k, v, window, causal=True):
    T = q.shape[-2]
    if causal and window == 1 and T > 0:
        return v * torch.ones(T, 1)  # wrong: default dtype and device
    return _blocked(q, k, v, window, causal)

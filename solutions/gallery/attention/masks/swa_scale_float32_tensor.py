"""The scale made as a tensor, torch.tensor(D).rsqrt(): an int tensor's rsqrt is float32, so
float64 inputs are scaled by 1 / sqrt(D) rounded to float32 (exact only for D a power of
4): a float64 result off in the 8th digit. Use the Python float 1 / math.sqrt(D)."""

import math

import torch

from solutions.attention.masks import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.masks import _window_allowed


def sliding_window_attention(q, k, v, window, causal=True):
    T = q.shape[-2]
    scale = torch.tensor(q.shape[-1], device=q.device).rsqrt()  # wrong: a float32 scale
    pos = torch.arange(T, device=q.device)
    block = max(window, 32)
    outs = []
    for start in range(0, T, block):
        stop = min(start + block, T)
        lo = max(0, start - window + 1) if causal else max(0, start - window)
        hi = stop if causal else min(T, stop + window)
        scores = (q[..., start:stop, :] @ k[..., lo:hi, :].transpose(-2, -1)) * scale
        allowed = _window_allowed(pos[start:stop, None], pos[None, lo:hi], window, causal)
        outs.append(scores.masked_fill(~allowed, float("-inf")).softmax(dim=-1) @ v[..., lo:hi, :])
    if not outs:
        return q.new_zeros(*q.shape[:-1], v.shape[-1])
    return torch.cat(outs, dim=-2)

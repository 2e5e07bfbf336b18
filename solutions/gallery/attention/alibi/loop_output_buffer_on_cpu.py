"""Per-head loop that writes each head's result into a buffer made with
torch.empty(..., dtype=q.dtype) and no device=: right on the CPU, but with q on a GPU the
buffer stays on the CPU, so every head's output is copied off the device (or the write
raises). The spec runs on the meta device, where copying into the CPU buffer fails.

Fix: torch.empty(..., dtype=q.dtype, device=q.device) (or q.new_empty), or collect the
heads in a list and torch.stack them at dim -3.
"""

import math

import torch

from solutions.attention.alibi import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.alibi import _slope_list


def alibi_attention(q, k, v, causal=True):
    H, L, S = q.shape[-3], q.shape[-2], k.shape[-2]
    rel = (torch.arange(L, device=q.device)[:, None] - torch.arange(S, device=q.device)[None, :]).to(q.dtype)
    out = torch.empty(*q.shape[:-1], v.shape[-1], dtype=q.dtype)  # wrong: on the CPU, not q.device
    for h, m in enumerate(_slope_list(H)):
        bias = -m * rel
        if causal:
            bias = bias.masked_fill(rel < 0, -math.inf)
        scores = q[..., h, :, :] @ k[..., h, :, :].transpose(-1, -2) / math.sqrt(q.shape[-1]) + bias
        out[..., h, :, :] = scores.softmax(-1) @ v[..., h, :, :]
    return out

"""Builds i - j with torch.arange(...).float(): for float64 inputs alpha * (i - j) is rounded
to float32 (0.37 * 5 is not exact there) before it joins the float64 scores, so the result
is only float32-accurate. The contract computes in q's dtype.

Fix: torch.arange(M, device=q.device, dtype=q.dtype) (and the same for N).
"""

import math

import torch

from solutions.attention.alibi import *  # noqa: F401,F403 (the rest is correct)


def linear_bias_attention(q, k, v, alpha):
    M, N = q.shape[-2], k.shape[-2]
    rel = (torch.arange(M, device=q.device)[:, None] - torch.arange(N, device=q.device)[None, :]).float()
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]) + alpha * rel  # wrong: float32 bias
    return scores.softmax(-1) @ v

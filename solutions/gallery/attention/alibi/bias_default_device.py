"""Bias and mask built on the default device: torch.arange / torch.ones without device= live
on the CPU, so the moment q is on a GPU the addition to the scores raises (the spec uses the
meta device to see it on any machine). Helper tensors belong on q.device.

Fix: pass device=q.device to every arange / ones / tensor (or .to(q.device)).
"""

import math

import torch

from solutions.attention.alibi import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.alibi import _slope_list


def alibi_attention(q, k, v, causal=True):
    H, L, S = q.shape[-3], q.shape[-2], k.shape[-2]
    slopes = torch.tensor(_slope_list(H), dtype=q.dtype)
    rel = (torch.arange(L)[:, None] - torch.arange(S)[None, :]).to(q.dtype)  # wrong: CPU tensors
    bias = -slopes[:, None, None] * rel
    if causal:
        bias = bias.masked_fill(~torch.ones(L, S, dtype=torch.bool).tril(), float("-inf"))
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]) + bias
    return scores.softmax(-1) @ v


def linear_bias_attention(q, k, v, alpha):
    M, N = q.shape[-2], k.shape[-2]
    rel = (torch.arange(M)[:, None] - torch.arange(N)[None, :]).to(q.dtype)  # wrong: CPU tensor
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]) + alpha * rel
    return scores.softmax(-1) @ v

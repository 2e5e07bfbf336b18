"""Slopes made with torch.tensor(list_of_floats) and no dtype: the tensor follows
torch.get_default_dtype(), so under torch.set_default_dtype(torch.float64) alibi_slopes and
alibi_bias return float64 (the contract says float32) and the float64 bias promotes float32
attention outputs.

Fix: torch.tensor(slopes, dtype=torch.float32) for the public tables, dtype=q.dtype inside attention.
"""

import math

import torch

from solutions.attention.alibi import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.alibi import _slope_list


def alibi_slopes(n_heads):
    return torch.tensor(_slope_list(n_heads))  # wrong: default dtype


def alibi_bias(n_heads, L, S):
    rel = torch.arange(L)[:, None] - torch.arange(S)[None, :]
    return -alibi_slopes(n_heads)[:, None, None] * rel


def alibi_attention(q, k, v, causal=True):
    H, L, S = q.shape[-3], q.shape[-2], k.shape[-2]
    bias = alibi_bias(H, L, S).to(q.device)
    if causal:
        bias = bias.masked_fill(~torch.ones(L, S, dtype=torch.bool, device=q.device).tril(), float("-inf"))
    return (q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]) + bias).softmax(-1) @ v

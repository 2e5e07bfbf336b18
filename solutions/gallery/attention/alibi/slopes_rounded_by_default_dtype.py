"""Slopes made with torch.tensor(list_of_floats).float(): the tensor is first built in
torch.get_default_dtype(), so under torch.set_default_dtype(torch.bfloat16) 2^-0.5 becomes
0.70703125 before the .float(), and alibi_slopes / alibi_bias return float32 tensors with
bfloat16 values (a float64 default happens to round the same as float32, so it hides this).

Fix: torch.tensor(slopes, dtype=torch.float32).
"""

import math

import torch

from solutions.attention.alibi import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention import alibi as _ref


def alibi_slopes(n_heads):
    return torch.tensor(_ref._slope_list(n_heads)).float()  # wrong: rounded to the default dtype first


def alibi_bias(n_heads, L, S):
    return -alibi_slopes(n_heads)[:, None, None] * (torch.arange(L)[:, None] - torch.arange(S)[None, :])

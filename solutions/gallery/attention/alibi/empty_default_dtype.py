"""Empty inputs answered with an early `return torch.zeros(*q.shape[:-1], v.shape[-1])`: the
shape is right, but with no dtype= the zeros are float32 for float64 inputs (and on the
CPU whatever q's device is), unlike every non-empty call, which keeps q's dtype.

Fix: q.new_zeros(*q.shape[:-1], v.shape[-1]), or no early return: the batched matmuls and
the broadcast bias handle size-0 dims by themselves.
"""

import torch

from solutions.attention.alibi import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention import alibi as _ref


def alibi_attention(q, k, v, causal=True):
    if q.numel() == 0:
        return torch.zeros(*q.shape[:-1], v.shape[-1])  # wrong: default dtype, CPU
    return _ref.alibi_attention(q, k, v, causal)


def linear_bias_attention(q, k, v, alpha):
    if q.numel() == 0:
        return torch.zeros(*q.shape[:-1], v.shape[-1])  # wrong: default dtype, CPU
    return _ref.linear_bias_attention(q, k, v, alpha)

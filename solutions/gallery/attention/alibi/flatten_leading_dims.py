"""Flattens the batch dims with q.reshape(-1, H, L, D) to batch the heads: right for every
non-empty input, but a batch dim of 0 or L = 0 leaves 0 elements, and reshape cannot infer
-1 from them ("cannot reshape tensor of 0 elements"). An empty batch (the last shard of a
split) or an empty prompt then crashes.

Fix: keep the leading dims as they are: q @ k.transpose(-2, -1) already batches over them,
and the (H, L, S) bias broadcasts.
"""

import math

import torch

from solutions.attention.alibi import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.alibi import _bias


def alibi_attention(q, k, v, causal=True):
    H, L, S, D = q.shape[-3], q.shape[-2], k.shape[-2], q.shape[-1]
    lead = q.shape[:-3]
    qf = q.reshape(-1, H, L, D)  # wrong: -1 cannot be inferred when a size is 0
    kf = k.reshape(-1, H, S, D)
    vf = v.reshape(-1, H, S, v.shape[-1])
    bias = _bias(H, L, S, q.dtype, q.device)
    if causal:
        bias = bias.masked_fill(~torch.ones(L, S, dtype=torch.bool, device=q.device).tril(), float("-inf"))
    weights = (qf @ kf.transpose(-1, -2) / math.sqrt(D) + bias).softmax(-1)
    return (weights @ vf).reshape(*lead, H, L, v.shape[-1])

"""Hand-written softmax without the max shift: exp of a score of 100 overflows float32 to inf
and the row becomes inf / inf = NaN. Scores that large are ordinary for sharp heads.

Fix: e = exp(scores - scores.amax(-1, keepdim=True)), or torch.softmax.
"""

import math

import torch

from solutions.attention.alibi import *  # noqa: F401,F403 (the rest is correct)
from solutions.attention.alibi import _bias, _relative_positions


def _softmax(scores):
    e = scores.exp()  # wrong: no max shift
    return e / e.sum(-1, keepdim=True)


def alibi_attention(q, k, v, causal=True):
    H, L, S = q.shape[-3], q.shape[-2], k.shape[-2]
    bias = _bias(H, L, S, q.dtype, q.device)
    if causal:
        bias = bias.masked_fill(~torch.ones(L, S, dtype=torch.bool, device=q.device).tril(), float("-inf"))
    return _softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]) + bias) @ v


def linear_bias_attention(q, k, v, alpha):
    rel = _relative_positions(q.shape[-2], k.shape[-2], q.dtype, q.device)
    return _softmax(q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]) + alpha * rel) @ v

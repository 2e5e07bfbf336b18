"""(j - i) instead of (i - j) in LeetGPU's linear-bias form: softmax(QK^T/sqrt(d) + alpha*(i - j))
with i the query (row) index and j the key (column) index. Writing arange(N)[None, :] -
arange(M)[:, None] flips the sign of every bias, which is alpha -> -alpha: the same as the
wrong ALiBi sign. Build the bias as arange(M)[:, None] - arange(N)[None, :]."""

import math

import torch

from solutions.attention.alibi import *  # noqa: F401,F403 (the rest is correct)


def linear_bias_attention(q, k, v, alpha):
    M, N = q.shape[-2], k.shape[-2]
    rel = (torch.arange(N)[None, :] - torch.arange(M)[:, None]).to(q)  # wrong: j - i
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1]) + alpha * rel
    return scores.softmax(dim=-1) @ v

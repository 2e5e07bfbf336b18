"""No running max: the tiles add up exp(score) directly. Mathematically the same softmax, but
exp overflows float32 once a score passes ~88 (inf / inf = NaN), and large scores are common
(unnormalised queries, long contexts). The running max is the whole reason for the online
rescaling.

Fix: keep m, the running max of each row; add exp(score - m_new) and rescale what was
summed before by exp(m - m_new)."""

import math

import torch

from solutions.inference.flash import *  # noqa: F401,F403 (the rest is correct)


def flash_attention(q, k, v, causal=False, block_size=64):
    L, D = q.shape[-2], q.shape[-1]
    S = k.shape[-2]
    out = q.new_empty(*q.shape[:-1], v.shape[-1])
    for i0 in range(0, L, block_size):
        i1 = min(i0 + block_size, L)
        qb = q[..., i0:i1, :] / math.sqrt(D)
        l = q.new_zeros((*q.shape[:-2], i1 - i0))
        acc = q.new_zeros((*q.shape[:-2], i1 - i0, v.shape[-1]))
        k_end = min(S, i1) if causal else S
        for j0 in range(0, k_end, block_size):
            j1 = min(j0 + block_size, k_end)
            s = qb @ k[..., j0:j1, :].transpose(-2, -1)
            if causal and j1 - 1 > i0:
                rows = torch.arange(i0, i1)[:, None]
                cols = torch.arange(j0, j1)[None, :]
                s = s.masked_fill(cols > rows, -math.inf)
            p = torch.exp(s)  # overflows for scores above ~88
            l = l + p.sum(dim=-1)
            acc = acc + p @ v[..., j0:j1, :]
        out[..., i0:i1, :] = acc / l[..., None]
    return out

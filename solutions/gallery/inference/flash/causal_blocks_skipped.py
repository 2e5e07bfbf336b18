"""The diagonal tile is skipped along with the ones above it: the loop over key tiles stops
at the query tile's first row (range(0, i0, block)) instead of its last (keys < i1). Every
query then misses the keys of its own tile, itself included: the first tile of queries sees
no key at all (0 / 0 = NaN), the others see only earlier tiles.

Fix: a tile is entirely above the diagonal when its first key comes after the tile's last
query (j0 > i1 - 1); only those are skipped. Keys up to min(S, i1) are needed, and the
diagonal tile is computed with the mask j <= i inside it."""

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
        m = q.new_full((*q.shape[:-2], i1 - i0), -math.inf)
        l = q.new_zeros((*q.shape[:-2], i1 - i0))
        acc = q.new_zeros((*q.shape[:-2], i1 - i0, v.shape[-1]))
        k_end = min(S, i0) if causal else S  # should be min(S, i1): the diagonal tile is lost
        for j0 in range(0, k_end, block_size):
            j1 = min(j0 + block_size, k_end)
            s = qb @ k[..., j0:j1, :].transpose(-2, -1)
            m_new = torch.maximum(m, s.amax(dim=-1))
            p = torch.exp(s - m_new[..., None])
            alpha = torch.exp(m - m_new)
            l = alpha * l + p.sum(dim=-1)
            acc = alpha[..., None] * acc + p @ v[..., j0:j1, :]
            m = m_new
        out[..., i0:i1, :] = acc / l[..., None]
    return out

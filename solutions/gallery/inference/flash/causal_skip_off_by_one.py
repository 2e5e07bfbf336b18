"""Skips the key tiles above the diagonal with `if j0 > i1: break`, forgetting that i1 (the end
of the query tile) is exclusive: the tile that starts at key i1 is entirely above the
diagonal too, yet it is computed and then fully masked. The values are right (its weights
are exp(-inf) = 0), but every row of tiles pays one useless tile: at 8 x 8 tiles a causal
call does 43 tiles of work instead of 36.

Fix: the query tile i0..i1-1 needs the keys j < i1 only: loop over key tiles while j0 < i1
(k_end = min(S, i1))."""

import math

import torch

from solutions.inference.flash import *  # noqa: F401,F403 (the rest is correct)


def flash_attention(q, k, v, causal=False, block_size=64):
    L, D = q.shape[-2], q.shape[-1]
    S = k.shape[-2]
    scale = 1 / math.sqrt(D)
    out = q.new_empty(*q.shape[:-1], v.shape[-1])
    for i0 in range(0, L, block_size):
        i1 = min(i0 + block_size, L)
        qb = q[..., i0:i1, :] * scale
        m = q.new_full((*q.shape[:-2], i1 - i0), -math.inf)
        l = q.new_zeros((*q.shape[:-2], i1 - i0))
        acc = q.new_zeros((*q.shape[:-2], i1 - i0, v.shape[-1]))
        for j0 in range(0, S, block_size):
            if causal and j0 > i1:  # i1 is exclusive: the tile starting at j0 == i1 is masked too
                break
            j1 = min(j0 + block_size, S)
            s = qb @ k[..., j0:j1, :].transpose(-2, -1)
            if causal and j1 - 1 > i0:
                rows = torch.arange(i0, i1, device=q.device)[:, None]
                cols = torch.arange(j0, j1, device=q.device)[None, :]
                s = s.masked_fill(cols > rows, -math.inf)
            m_new = torch.maximum(m, s.amax(dim=-1))
            p = torch.exp(s - m_new[..., None])
            alpha = torch.exp(m - m_new)
            l = alpha * l + p.sum(dim=-1)
            acc = alpha[..., None] * acc + p @ v[..., j0:j1, :]
            m = m_new
        out[..., i0:i1, :] = acc / l[..., None]
    return out

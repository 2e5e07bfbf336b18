"""Caches the diagonal tiles' causal masks in a module-level dict keyed by the tile's bounds
(i0, i1, j0, j1) only, not by device: the first call makes them on q's device, and every later
call with those tiles reuses them, on whatever device q is on now; on a GPU after a CPU call
the first diagonal tile fails with "Tensor on device cpu is not on the expected device" (here:
the meta device).

Fix: build the tile's mask at every call on q's device (it is tiny), or key a cache by device too."""

import math

import torch

from solutions.inference.flash import *  # noqa: F401,F403 (the rest is correct)

_MASKS = {}


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
        k_end = min(S, i1) if causal else S
        for j0 in range(0, k_end, block_size):
            j1 = min(j0 + block_size, k_end)
            s = qb @ k[..., j0:j1, :].transpose(-2, -1)
            if causal and j1 - 1 > i0:
                key = (i0, i1, j0, j1)  # not keyed by device
                if key not in _MASKS:
                    rows = torch.arange(i0, i1, device=q.device)[:, None]
                    cols = torch.arange(j0, j1, device=q.device)[None, :]
                    _MASKS[key] = cols > rows
                s = s.masked_fill(_MASKS[key], -math.inf)
            m_new = torch.maximum(m, s.amax(dim=-1))
            p = torch.exp(s - m_new[..., None])
            alpha = torch.exp(m - m_new)
            l = alpha * l + p.sum(dim=-1)
            acc = alpha[..., None] * acc + p @ v[..., j0:j1, :]
            m = m_new
        out[..., i0:i1, :] = acc / l[..., None]
    return out

"""Correct variant: FlashAttention-1 loop order (key tiles outside, query tiles inside) with full-length running statistics updated in place."""

import math

import torch


def flash_attention(q, k, v, causal=False, block_size=64):
    L, D, S, Dv = q.shape[-2], q.shape[-1], k.shape[-2], v.shape[-1]
    batch = q.shape[:-2]
    m = torch.full((*batch, L), float("-inf"), dtype=q.dtype, device=q.device)
    l = torch.zeros((*batch, L), dtype=q.dtype, device=q.device)
    acc = torch.zeros((*batch, L, Dv), dtype=q.dtype, device=q.device)
    for j0 in range(0, S, block_size):
        j1 = min(j0 + block_size, S)
        kt, vt = k[..., j0:j1, :], v[..., j0:j1, :]
        # causal: query tiles that end before j0 see none of these keys
        first = (j0 // block_size) * block_size if causal else 0
        for i0 in range(first, L, block_size):
            i1 = min(i0 + block_size, L)
            s = torch.matmul(q[..., i0:i1, :], kt.transpose(-1, -2)) / math.sqrt(D)
            if causal and j1 - 1 > i0:
                i = torch.arange(i0, i1, device=q.device).unsqueeze(-1)
                j = torch.arange(j0, j1, device=q.device).unsqueeze(0)
                s = torch.where(j <= i, s, torch.full_like(s, float("-inf")))
            m_old = m[..., i0:i1]
            m_new = torch.maximum(m_old, s.max(dim=-1).values)
            p = torch.exp(s - m_new.unsqueeze(-1))
            scale = torch.exp(m_old - m_new)
            l[..., i0:i1] = scale * l[..., i0:i1] + p.sum(-1)
            acc[..., i0:i1, :] = scale.unsqueeze(-1) * acc[..., i0:i1, :] + torch.matmul(p, vt)
            m[..., i0:i1] = m_new
    return acc / l.unsqueeze(-1)

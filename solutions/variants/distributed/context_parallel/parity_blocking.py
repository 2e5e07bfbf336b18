"""Ring attention with blocking send/recv ordered by rank parity (even ranks send first, odd
ranks receive first: no deadlock), and a running-max online softmax."""

from __future__ import annotations

import math

import torch
import torch.distributed as dist


def _exchange(t, rank, world):
    got = torch.empty_like(t)
    nxt, prv = (rank + 1) % world, (rank - 1) % world
    if rank % 2 == 0:
        dist.send(t, nxt)
        dist.recv(got, prv)
    else:
        dist.recv(got, prv)
        dist.send(t, nxt)
    return got


def ring_attention(q, k, v, causal=False):
    rank, world = dist.get_rank(), dist.get_world_size()
    T, scale = q.shape[-2], q.shape[-1] ** -0.5
    kb, vb = k.contiguous(), v.contiguous()
    m = q.new_full(q.shape[:-1], -math.inf)
    l = q.new_zeros(q.shape[:-1])
    acc = q.new_zeros(q.shape[:-1] + (v.shape[-1],))
    for step in range(world):
        src = (rank - step) % world
        if not (causal and src > rank):              # a future block: nothing visible
            s = torch.einsum("...qd,...kd->...qk", q, kb) * scale
            if causal and src == rank:
                s = s.masked_fill(torch.ones(T, T, dtype=torch.bool, device=q.device).triu(1), -math.inf)
            m_new = torch.maximum(m, s.max(dim=-1).values)
            corr = (m - m_new).exp()
            p = (s - m_new[..., None]).exp()
            l = corr * l + p.sum(-1)
            acc = corr[..., None] * acc + torch.einsum("...qk,...kd->...qd", p, vb)
            m = m_new
        if step != world - 1:
            kb = _exchange(kb, rank, world)
            vb = _exchange(vb, rank, world)
    return acc / l[..., None]

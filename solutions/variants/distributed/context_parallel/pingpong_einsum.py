"""Ring attention with two preallocated ping-pong buffers per tensor (isend/irecv posted one by
one, no batch), einsum scores, and the global-position mask applied to every attended block."""

from __future__ import annotations

import math

import torch
import torch.distributed as dist


def ring_attention(q, k, v, causal=False):
    r, W = dist.get_rank(), dist.get_world_size()
    T, D = q.shape[-2], q.shape[-1]
    held_k, held_v = k.contiguous(), v.contiguous()
    spare_k, spare_v = (torch.empty_like(held_k), torch.empty_like(held_v)) if W > 1 else (None, None)
    qpos = torch.arange(r * T, (r + 1) * T, device=q.device)
    m = l = acc = None
    for s in range(W):
        src = (r - s) % W
        pending = []
        if s < W - 1:
            nxt, prv = (r + 1) % W, (r - 1) % W
            pending = [dist.isend(held_k, nxt), dist.isend(held_v, nxt),
                       dist.irecv(spare_k, prv), dist.irecv(spare_v, prv)]
        if not causal or src <= r:
            sc = torch.einsum("...td,...sd->...ts", q, held_k) / math.sqrt(D)
            if causal:
                kpos = torch.arange(src * T, (src + 1) * T, device=q.device)
                sc = sc.masked_fill(kpos.unsqueeze(0) > qpos.unsqueeze(1), -math.inf)
            bm = sc.amax(-1)
            if m is None:
                m = bm
                p = (sc - m.unsqueeze(-1)).exp()
                l, acc = p.sum(-1), torch.einsum("...ts,...se->...te", p, held_v)
            else:
                mn = torch.maximum(m, bm)
                a = (m - mn).exp()
                p = (sc - mn.unsqueeze(-1)).exp()
                l = l * a + p.sum(-1)
                acc = acc * a.unsqueeze(-1) + torch.einsum("...ts,...se->...te", p, held_v)
                m = mn
        for h in pending:
            h.wait()
        if pending:
            if held_k is k or held_k.data_ptr() == k.data_ptr():
                # never write into the caller's tensors: swap in a fresh spare the first time
                held_k, held_v, spare_k, spare_v = spare_k, spare_v, torch.empty_like(spare_k), torch.empty_like(spare_v)
            else:
                held_k, held_v, spare_k, spare_v = spare_k, spare_v, held_k, held_v
    return acc / l.unsqueeze(-1)

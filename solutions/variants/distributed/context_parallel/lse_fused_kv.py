"""Ring attention combining per-block (output, logsumexp) pairs, K and V fused into one tensor
that travels with isend/irecv."""

from __future__ import annotations

import math

import torch
import torch.distributed as dist


def ring_attention(q, k, v, causal=False):
    rank, world = dist.get_rank(), dist.get_world_size()
    T, D = q.shape[-2], q.shape[-1]
    kv = torch.cat([k, v], dim=-1).contiguous()      # one buffer per pass
    out, lse = None, None
    pos = torch.arange(T, device=q.device)
    for step in range(world):
        src = (rank - step) % world
        if step < world - 1:                          # start the next pass early
            incoming = torch.empty_like(kv)
            send = dist.isend(kv, (rank + 1) % world)
            recv = dist.irecv(incoming, (rank - 1) % world)
        if not causal or src <= rank:
            kb, vb = kv[..., :D], kv[..., D:]
            s = q @ kb.transpose(-2, -1) / math.sqrt(D)
            if causal and src == rank:
                s = s.masked_fill(pos[None, :] > pos[:, None], float("-inf"))
            block_lse = torch.logsumexp(s, dim=-1)
            block_out = torch.softmax(s, dim=-1) @ vb
            if out is None:
                out, lse = block_out, block_lse
            else:
                new_lse = torch.logaddexp(lse, block_lse)
                out = (out * torch.exp(lse - new_lse).unsqueeze(-1)
                       + block_out * torch.exp(block_lse - new_lse).unsqueeze(-1))
                lse = new_lse
        if step < world - 1:
            send.wait()
            recv.wait()
            kv = incoming
    return out

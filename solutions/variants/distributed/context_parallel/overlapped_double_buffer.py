"""Ring attention that overlaps communication with compute: the next block's irecv and this block's
isend are posted before the block is attended to, and waited after (double buffering, as in the
production ring-attention kernels); the block's scores merged through logaddexp of row lse's."""

from __future__ import annotations

import math

import torch
import torch.distributed as dist


def ring_attention(q, k, v, causal=False):
    rank, world = dist.get_rank(), dist.get_world_size()
    T = q.shape[-2]
    kv = torch.cat([k, v], dim=-1).contiguous()          # one fused block: (..., T, D + Dv)
    D = k.shape[-1]
    q = q / math.sqrt(q.shape[-1])
    out = None
    lse = None
    pos = torch.arange(T) + rank * T
    for step in range(world):
        pending = []
        if step < world - 1:
            nxt = torch.empty_like(kv)
            pending = [dist.isend(kv, (rank + 1) % world), dist.irecv(nxt, (rank - 1) % world)]
        src = (rank - step) % world
        if not causal or src <= rank:
            s = q @ kv[..., :D].transpose(-2, -1)
            if causal and src == rank:
                s = s.masked_fill(pos[None, :] > pos[:, None], -math.inf)
            blk_lse = torch.logsumexp(s, dim=-1)
            blk_out = torch.softmax(s, dim=-1) @ kv[..., D:]
            if out is None:
                out, lse = blk_out, blk_lse
            else:
                new = torch.logaddexp(lse, blk_lse)
                out = out * torch.exp(lse - new)[..., None] + blk_out * torch.exp(blk_lse - new)[..., None]
                lse = new
        for h in pending:
            h.wait()
        if pending:
            kv = nxt
    return out

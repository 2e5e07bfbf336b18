"""Every received block is kept (the ring is right, the result too) and concatenated for one softmax
at the end: the whole sequence's K/V in memory on every rank."""

from __future__ import annotations

import math

import torch
import torch.distributed as dist


def _pass_on(k: torch.Tensor, v: torch.Tensor, rank: int, world: int):
    """Send (k, v) to the next rank and receive the previous rank's: non-blocking, so the
    ring cannot deadlock. Returns the received blocks."""
    k_next, v_next = torch.empty_like(k), torch.empty_like(v)
    ops = [dist.P2POp(dist.isend, k, (rank + 1) % world),
           dist.P2POp(dist.isend, v, (rank + 1) % world),
           dist.P2POp(dist.irecv, k_next, (rank - 1) % world),
           dist.P2POp(dist.irecv, v_next, (rank - 1) % world)]
    for request in dist.batch_isend_irecv(ops):
        request.wait()
    return k_next, v_next


def ring_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                   causal: bool = False) -> torch.Tensor:
    """This rank's rows of full-sequence attention, K/V blocks passed around the ring."""
    rank, world = dist.get_rank(), dist.get_world_size()
    T, scale = q.shape[-2], 1.0 / math.sqrt(q.shape[-1])
    k, v = k.contiguous(), v.contiguous()

    m = torch.full(q.shape[:-1], float("-inf"), dtype=q.dtype, device=q.device)  # (..., T)
    l = torch.zeros_like(m)
    acc = torch.zeros(*q.shape[:-1], v.shape[-1], dtype=q.dtype, device=q.device)
    rows = torch.arange(T, device=q.device) + rank * T                # global query positions

    kept = {}
    for step in range(world):
        source = (rank - step) % world
        kept[source] = (k, v)
        if step < world - 1:
            k, v = _pass_on(k, v, rank, world)
    keys = torch.cat([kept[s][0] for s in range(world)], dim=-2)
    values = torch.cat([kept[s][1] for s in range(world)], dim=-2)
    s = (q @ keys.transpose(-2, -1)) * scale
    if causal:
        cols = torch.arange(world * T, device=q.device)
        s = s.masked_fill(cols[None, :] > rows[:, None], float("-inf"))
    return s.softmax(dim=-1) @ values

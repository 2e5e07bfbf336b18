"""The source of the block held at step s taken as (r - s) & (W - 1), a mask that equals
(r - s) % W only when W is a power of two: on 3 ranks the causal masks (which blocks are
visible, skipped or diagonal) are given to the wrong blocks. The ring itself is right, so
non-causal attention still matches.

Fix: source = (rank - step) % world (Python's % is never negative)."""

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

    for step in range(world):
        source = (rank - step) & (world - 1)                                # whose block we hold
        if not (causal and source > rank):                            # else: fully masked
            s = (q @ k.transpose(-2, -1)) * scale                     # (..., T, T)
            if causal and source == rank:
                cols = torch.arange(T, device=q.device) + source * T
                s = s.masked_fill(cols[None, :] > rows[:, None], float("-inf"))
            m_new = torch.maximum(m, s.amax(dim=-1))
            p = torch.exp(s - m_new.unsqueeze(-1))
            rescale = torch.exp(m - m_new)
            acc = acc * rescale.unsqueeze(-1) + p @ v
            l = l * rescale + p.sum(dim=-1)
            m = m_new
        if step < world - 1:
            k, v = _pass_on(k, v, rank, world)
    return acc / l.unsqueeze(-1)

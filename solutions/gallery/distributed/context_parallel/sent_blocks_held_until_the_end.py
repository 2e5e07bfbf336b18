"""Each pass isends the held block and keeps (handle, block) in a list that is waited only at
the end (the pattern of a pipeline's sends): the result and the traffic are right, but every
block this rank passed on stays alive until the function returns, W - 1 blocks at once: the
whole sequence's K/V in memory again, which is what the ring was meant to avoid.

Fix: wait each pass's handles before the next step (or let the sent block go), so at most the
held block and the arriving one are alive.
"""

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
    held = []

    for step in range(world):
        source = (rank - step) % world                                # whose block we hold
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
            held.append((dist.isend(k, (rank + 1) % world), dist.isend(v, (rank + 1) % world), k, v))
            k, v = torch.empty_like(k), torch.empty_like(v)
            dist.recv(k, (rank - 1) % world)
            dist.recv(v, (rank - 1) % world)
    for hk, hv, _, _ in held:
        hk.wait(); hv.wait()
    return acc / l.unsqueeze(-1)

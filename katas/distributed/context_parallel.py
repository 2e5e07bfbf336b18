"""Day 45 — distributed/context_parallel: ring attention (context parallelism).

A sequence too long for one device is split along time: rank r of W holds the queries, keys
and values of positions r*T .. (r+1)*T - 1 (T = its chunk length, the same on every rank).
Each query needs every key, but no rank may gather them all. Ring attention passes the K/V
blocks around a ring instead: in W steps every rank sees every block once, and combines
each block's partial result with the running (max, sum, accumulator) of the online softmax
you wrote in inference/flash (phase 4). The result is exactly full attention over the whole
sequence; each rank only ever holds a couple of blocks.

Write:
    ring_attention(q, k, v, causal=False) -> (..., T, Dv), q's dtype
        Runs on the default process group (dist.get_rank(), dist.get_world_size(); W = 1
        works too: plain attention, no communication).
        q, k: (..., T, D), v: (..., T, Dv): this rank's chunk; the same leading dims "..."
            (none, or any number, e.g. (B, H)) and the same shapes on every rank; T >= 1.
            float32 or float64 (computed in that dtype: float64 is compared to 1e-10).
            Inputs may be non-contiguous (send/recv need contiguous tensors: .contiguous()).
        Returns this rank's rows of softmax(Q K^T / sqrt(D)) V over the WHOLE sequence
            (Q, K, V the concatenation of every rank's chunk in rank order), scale 1/sqrt(D)
            with D = q.shape[-1].
        causal=True: the query at global position i sees the key at global position j when
            j <= i (positions are GLOBAL: rank r's row t is position r*T + t). A block that
            comes entirely after all of this rank's queries is fully masked: skip its
            compute (but still pass it on).
        The ring: step s = 0 .. W-1 attends to the K/V block of rank (r - s) mod W (its own
            first). Between steps, each rank sends the block it holds to rank (r + 1) mod W
            and receives the next one from rank (r - 1) mod W: W - 1 passes, no pass after
            the last step.
        Communication: point-to-point only (dist.send/recv/isend/irecv/batch_isend_irecv,
            called as dist.<name>); no collective (no all_gather, broadcast, all_reduce).
            Bytes each rank sends = bytes it receives = (W - 1) * (k.numel() * k.element_size()
            + v.numel() * v.element_size()) exactly (k and v may travel as one fused tensor).
            A blocking dist.send waits until the peer posts its recv: if every rank sends
            first, they all wait forever (a deadlock; the specs time out after a few
            seconds). Post the send with dist.isend (or batch_isend_irecv) and wait both.
        Combining blocks (the online softmax): keep per query row m (running max, starts at
            -inf), l (running sum of exp(score - m)) and acc (running sum of
            exp(score - m) @ v). For a new block with scores s (masked entries -inf):
            m_new = max(m, rowmax(s)); acc = acc * exp(m - m_new) + exp(s - m_new) @ v_blk;
            l = l * exp(m - m_new) + rowsum(exp(s - m_new)); m = m_new. Output acc / l.
            Forgetting the rescale by exp(m - m_new) weights early blocks wrongly.
        Memory: never hold the whole sequence's K or V (no gathering, no list of received
            blocks): besides its inputs, a rank allocates at most 3 K/V blocks' worth of
            bytes at once (the block it holds, the one arriving, one copy, e.g. a fused
            k|v buffer) plus the per-block scores and the accumulators (the specs count
            every allocation at W = 5, where holding the other ranks' blocks takes 4: a
            sent block kept alive until the end, by its isend handle, counts too).
        Forward only: called under torch.no_grad(); no autograd through the ring.

Off limits: none (torch.softmax, logsumexp, exp are all fine); torch.distributed's
all_gather and other collectives are off limits by the communication rule above.
Inputs must not be modified (receive into your own buffers).
Run: pytest katas/distributed/context_parallel.py
"""

from __future__ import annotations

import torch
import torch.distributed as dist


def ring_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                   causal: bool = False) -> torch.Tensor:
    """This rank's rows of full-sequence attention, K/V blocks passed around the ring."""
    raise NotImplementedError

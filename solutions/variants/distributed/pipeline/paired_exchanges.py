"""Megatron-style paired exchanges: in 1F1B's steady state a stage sends its activation AND
receives the next gradient in one batch_isend_irecv (send_forward_recv_backward), and sends a
gradient while receiving the next activation (send_backward_recv_forward)."""

from __future__ import annotations

import torch
import torch.distributed as dist


def partition(num_layers, world_size):
    if world_size < 1 or num_layers < world_size:
        raise ValueError(f"need at least one layer per stage: {num_layers} layers, {world_size} stages")
    sizes = [num_layers // world_size + (r < num_layers % world_size) for r in range(world_size)]
    starts = [sum(sizes[:r]) for r in range(world_size)]
    return [range(s, s + n) for s, n in zip(starts, sizes)]


def pipeline_step(stage, inputs, targets, loss_fn, *, num_microbatches, activation_shape,
                  schedule="1f1b", dtype=torch.float32):
    if schedule not in ("gpipe", "1f1b"):
        raise ValueError(f"unknown pipeline schedule {schedule!r}")
    rank, world, M = dist.get_rank(), dist.get_world_size(), num_microbatches
    first, last = rank == 0, rank == world - 1
    xs_in = inputs.chunk(M) if first else None
    ts = targets.chunk(M) if last else None
    losses, stash = [], []

    def exchange(send=None, send_to=None, recv_from=None):
        ops, got = [], None
        if send is not None:
            ops.append(dist.P2POp(dist.isend, send.detach().contiguous(), send_to))
        if recv_from is not None:
            got = torch.empty(activation_shape, dtype=dtype)
            ops.append(dist.P2POp(dist.irecv, got, recv_from))
        if ops:
            for req in dist.batch_isend_irecv(ops):
                req.wait()
        return got

    def fwd(i, x):
        y = stage(x)
        if last:
            loss = loss_fn(y, ts[i])
            losses.append(loss.detach())
            y = loss / M
        stash.append((x, y))
        return y

    def bwd(grad):
        x, y = stash.pop(0)
        torch.autograd.backward(y, grad)
        return x.grad if not first else None

    def recv_act():
        return None if first else exchange(recv_from=rank - 1).requires_grad_()

    nxt, prv = (None if last else rank + 1), (None if first else rank - 1)
    if schedule == "gpipe":
        for i in range(M):
            x = xs_in[i] if first else recv_act()
            y = fwd(i, x)
            if not last:
                exchange(send=y, send_to=nxt)
        for _ in range(M):
            g = None if last else exchange(recv_from=nxt)
            gx = bwd(g)
            if not first:
                exchange(send=gx, send_to=prv)
    else:
        warm = min(world - rank - 1, M)
        for i in range(warm):
            x = xs_in[i] if first else recv_act()
            y = fwd(i, x)
            exchange(send=y, send_to=nxt)
        x = (xs_in[warm] if first else recv_act()) if warm < M else None
        for i in range(warm, M):
            y = fwd(i, x)
            # send this activation, receive the gradient of the oldest micro-batch: one pairing
            g = None if last else exchange(send=y, send_to=nxt, recv_from=nxt)
            gx = bwd(g)
            if i + 1 < M:
                x = xs_in[i + 1] if first else exchange(send=gx, send_to=prv, recv_from=prv).requires_grad_()
            elif not first:
                exchange(send=gx, send_to=prv)
        for _ in range(warm):
            g = exchange(recv_from=nxt)
            gx = bwd(g)
            if not first:
                exchange(send=gx, send_to=prv)
    return torch.stack(losses).mean() if last else None

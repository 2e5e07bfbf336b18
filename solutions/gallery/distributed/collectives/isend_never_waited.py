"""The isend handles are dropped, never waited: the values arrive here because each recv
blocks, but the function may return while its own last message is still in flight.

Fix: keep each isend's handle and call .wait() on it before returning."""

import torch
import torch.distributed as dist

from solutions.distributed.collectives import *  # noqa: F401,F403 (the rest is correct)


def _exchange(send, recv, rank, world):
    dist.isend(send.contiguous(), (rank + 1) % world)
    dist.recv(recv, (rank - 1) % world)


def ring_all_reduce(tensor):
    world, rank = dist.get_world_size(), dist.get_rank()
    out = tensor.clone().contiguous()
    if world == 1 or out.numel() == 0:
        return out
    chunks = torch.tensor_split(out.view(-1), world)
    for step in range(world - 1):
        send, recv = chunks[(rank - step) % world], chunks[(rank - step - 1) % world]
        buffer = torch.empty_like(recv)
        _exchange(send, buffer, rank, world)
        recv += buffer
    for step in range(world - 1):
        send, recv = chunks[(rank - step + 1) % world], chunks[(rank - step) % world]
        _exchange(send, recv, rank, world)
    return out

"""Ring indices masked with & (W - 1) instead of taken modulo W: the same for 2 and 4 ranks,
but with 3 ranks (r - 1) & 2 sends to no neighbour at all: rank 2 talks to rank 2 and the
ring breaks (gloo errors or the sums are wrong).

Fix: (r - s) % W, (r + 1) % W, (r - 1) % W: Python's % is never negative, for any W."""

import torch
import torch.distributed as dist

from solutions.distributed.collectives import *  # noqa: F401,F403 (the rest is correct)


def ring_all_reduce(tensor):
    world, rank = dist.get_world_size(), dist.get_rank()
    m = world - 1
    out = tensor.clone().contiguous()
    if world == 1 or out.numel() == 0:
        return out
    chunks = torch.tensor_split(out.view(-1), world)
    for step in range(world - 1):
        send, recv = chunks[(rank - step) & m], chunks[(rank - step - 1) & m]
        buffer = torch.empty_like(recv)
        h = dist.isend(send.contiguous(), (rank + 1) & m)
        dist.recv(buffer, (rank - 1) & m)
        h.wait()
        recv += buffer
    for step in range(world - 1):
        send, recv = chunks[(rank - step + 1) & m], chunks[(rank - step) & m]
        h = dist.isend(send.contiguous(), (rank + 1) & m)
        dist.recv(recv, (rank - 1) & m)
        h.wait()
    return out

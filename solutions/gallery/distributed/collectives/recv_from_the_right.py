"""Each rank receives from its right neighbour, (r + 1) % W, the rank it also sends to: with
2 ranks left and right are the same rank and it works; with 3 or more the messages never
meet (or arrive from the wrong rank).

Fix: send to (r + 1) % W, receive from (r - 1) % W."""

import torch
import torch.distributed as dist

from solutions.distributed.collectives import *  # noqa: F401,F403 (the rest is correct)


def _exchange(send, recv, rank, world):
    handle = dist.isend(send.contiguous(), (rank + 1) % world)
    dist.recv(recv, (rank + 1) % world)
    handle.wait()


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

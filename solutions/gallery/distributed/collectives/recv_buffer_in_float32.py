"""The receive buffer is torch.empty(n), float32 whatever the tensor's dtype: a float64 or
int64 chunk does not fit (gloo aborts the receiving rank), and its bytes are misread.

Fix: torch.empty_like(chunk): the chunk's size AND dtype."""

import torch
import torch.distributed as dist

from solutions.distributed.collectives import *  # noqa: F401,F403 (the rest is correct)
from solutions.distributed.collectives import _exchange


def ring_all_reduce(tensor):
    world, rank = dist.get_world_size(), dist.get_rank()
    out = tensor.clone().contiguous()
    if world == 1 or out.numel() == 0:
        return out
    chunks = torch.tensor_split(out.view(-1), world)
    for step in range(world - 1):
        send, recv = chunks[(rank - step) % world], chunks[(rank - step - 1) % world]
        buffer = torch.empty(recv.numel())
        _exchange(send, buffer, rank, world)
        recv += buffer.to(recv.dtype)
    for step in range(world - 1):
        send, recv = chunks[(rank - step + 1) % world], chunks[(rank - step) % world]
        _exchange(send, recv, rank, world)
    return out

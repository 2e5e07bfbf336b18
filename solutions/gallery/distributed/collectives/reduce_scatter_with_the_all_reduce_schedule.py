"""ring_reduce_scatter reuses all-reduce's reduce-scatter schedule (send chunk (r - s) % W),
so the block fully summed on rank r is block (r + 1) % W, yet it returns block r.

Fix: shift the schedule by one: step s sends block (r - s - 1) % W and adds (r - s - 2) % W."""

import torch
import torch.distributed as dist

from solutions.distributed.collectives import *  # noqa: F401,F403 (the rest is correct)
from solutions.distributed.collectives import _exchange


def ring_reduce_scatter(tensor):
    if tensor.dim() == 0:
        raise ValueError("ring_reduce_scatter needs a tensor with at least one dimension")
    world, rank = dist.get_world_size(), dist.get_rank()
    blocks = [b.clone(memory_format=torch.contiguous_format) for b in torch.tensor_split(tensor, world, dim=0)]
    if world == 1 or tensor.numel() == 0:
        return blocks[rank]
    for step in range(world - 1):
        send, recv = blocks[(rank - step) % world], blocks[(rank - step - 1) % world]
        buffer = torch.empty_like(recv)
        _exchange(send, buffer, rank, world)
        recv += buffer
    return blocks[rank]

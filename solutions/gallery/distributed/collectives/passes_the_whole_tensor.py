"""All-reduce by passing whole tensors around the ring: right values, but each rank sends
W - 1 messages of all N elements, (W - 1) N in all, instead of 2 (W - 1) chunks of N / W.

Fix: cut the tensor into W chunks; reduce-scatter then all-gather, one chunk per message."""

import torch
import torch.distributed as dist

from solutions.distributed.collectives import *  # noqa: F401,F403 (the rest is correct)
from solutions.distributed.collectives import _exchange


def ring_all_reduce(tensor):
    world, rank = dist.get_world_size(), dist.get_rank()
    out = tensor.clone().contiguous()
    if world == 1 or out.numel() == 0:
        return out
    passing = out.clone()
    for _ in range(world - 1):
        arrived = torch.empty_like(passing)
        _exchange(passing, arrived, rank, world)
        out += arrived
        passing = arrived
    return out

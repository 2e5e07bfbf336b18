"""ring_all_gather stores each block it receives at the left neighbour's index, (r - 1) % W,
every step: but at step s that block started at rank (r - s - 1) % W, further left each step.

Fix: the block received at step s is block (r - s - 1) % W."""

import torch
import torch.distributed as dist

from solutions.distributed.collectives import *  # noqa: F401,F403 (the rest is correct)
from solutions.distributed.collectives import _exchange


def ring_all_gather(tensor):
    world, rank = dist.get_world_size(), dist.get_rank()
    block = tensor.reshape(1) if tensor.dim() == 0 else tensor
    blocks = torch.empty((world, *block.shape), dtype=tensor.dtype)
    out = blocks.view(world * block.shape[0], *block.shape[1:])
    blocks[rank].copy_(block)
    if world == 1 or out.numel() == 0:
        return out
    passing = blocks[rank].clone()
    for step in range(world - 1):
        arrived = torch.empty_like(passing)
        _exchange(passing, arrived, rank, world)
        blocks[(rank - 1) % world].copy_(arrived)
        passing = arrived
    return out

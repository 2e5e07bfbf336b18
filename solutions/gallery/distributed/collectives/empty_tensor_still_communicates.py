"""ring_all_gather of a tensor with no elements still runs its W - 1 steps of empty messages:
nothing to gather, yet every rank waits on its neighbours.

Fix: return the empty result at once when tensor.numel() == 0."""

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
    for step in range(world - 1):
        _exchange(blocks[(rank - step) % world], blocks[(rank - step - 1) % world], rank, world)
    return out

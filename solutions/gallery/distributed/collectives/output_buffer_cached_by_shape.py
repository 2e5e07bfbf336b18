"""ring_all_gather caches its output buffer per (shape, dtype, world size) in a module-level
dict and returns a view of it: the next call with the same shape writes into the tensor the
caller got from the previous call, so a result kept from one call silently changes.

Fix: allocate the output inside every call (torch.empty(...)): each call returns a new tensor."""

import torch
import torch.distributed as dist

from solutions.distributed.collectives import *  # noqa: F401,F403 (the rest is correct)
from solutions.distributed.collectives import _exchange

_OUT = {}


def ring_all_gather(tensor):
    world, rank = dist.get_world_size(), dist.get_rank()
    block = tensor.reshape(1) if tensor.dim() == 0 else tensor
    key = (tuple(block.shape), block.dtype, world)
    if key not in _OUT:
        _OUT[key] = torch.empty((world, *block.shape), dtype=tensor.dtype, device=tensor.device)
    blocks = _OUT[key]
    out = blocks.view(world * block.shape[0], *block.shape[1:])
    blocks[rank].copy_(block)
    if world == 1 or out.numel() == 0:
        return out
    for step in range(world - 1):
        _exchange(blocks[(rank - step) % world], blocks[(rank - step - 1) % world], rank, world)
    return out

"""ring_reduce_scatter does not check for a 0-d tensor: tensor_split along dim 0 of a scalar
raises torch's own error (a RuntimeError/IndexError), not the ValueError of the contract.

Fix: if tensor.dim() == 0: raise ValueError("ring_reduce_scatter needs a tensor with at
least one dimension")."""

import torch
import torch.distributed as dist

from solutions.distributed.collectives import *  # noqa: F401,F403 (the rest is correct)
from solutions.distributed.collectives import _exchange


def ring_reduce_scatter(tensor):
    world, rank = dist.get_world_size(), dist.get_rank()
    blocks = [b.clone(memory_format=torch.contiguous_format) for b in torch.tensor_split(tensor, world, dim=0)]
    if world == 1 or tensor.numel() == 0:
        return blocks[rank]
    for step in range(world - 1):
        send, recv = blocks[(rank - step - 1) % world], blocks[(rank - step - 2) % world]
        buffer = torch.empty_like(recv)
        _exchange(send, buffer, rank, world)
        recv += buffer
    return blocks[rank]

"""ring_all_reduce cuts the input itself into chunks and adds into them: the caller's tensor
is overwritten with the sum (the contract returns a new tensor and leaves the input alone).

Fix: clone first, and work on the clone."""

import torch
import torch.distributed as dist

from solutions.distributed.collectives import *  # noqa: F401,F403 (the rest is correct)
from solutions.distributed.collectives import _exchange


def ring_all_reduce(tensor):
    world, rank = dist.get_world_size(), dist.get_rank()
    out = tensor if tensor.is_contiguous() else tensor.contiguous()
    if world == 1 or out.numel() == 0:
        return out.clone()
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

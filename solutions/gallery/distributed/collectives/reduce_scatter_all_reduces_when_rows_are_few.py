"""ring_reduce_scatter falls back to a ring all-reduce of the whole tensor, then keeps its own
block, when the tensor has fewer rows than there are ranks: the values are right, but every
rank sends 2 (W - 1) messages of flat chunks instead of W - 1 blocks, about twice the volume
(and the all-reduce schedule, not the reduce-scatter one).

Fix: run the same W - 1 block steps whatever the number of rows: tensor_split leaves some
blocks empty, and an empty block's message may simply be left out."""

import torch
import torch.distributed as dist

from solutions.distributed.collectives import *  # noqa: F401,F403 (the rest is correct)
from solutions.distributed.collectives import ring_all_reduce
from solutions.distributed.collectives import ring_reduce_scatter as _ring_reduce_scatter


def ring_reduce_scatter(tensor):
    if tensor.dim() == 0:
        raise ValueError("ring_reduce_scatter needs a tensor with at least one dimension")
    world, rank = dist.get_world_size(), dist.get_rank()
    if world > 1 and 0 < tensor.shape[0] < world and tensor.numel() > 0:
        return torch.tensor_split(ring_all_reduce(tensor), world, dim=0)[rank].clone()
    return _ring_reduce_scatter(tensor)

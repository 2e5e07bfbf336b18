"""ring_reduce_scatter returns a copy at once when W = 1, before checking the tensor's
dimensions: on one rank a 0-d tensor comes back instead of raising the promised ValueError
(the same call raises on two ranks).

Fix: check tensor.dim() == 0 first, then take the W = 1 shortcut."""

import torch.distributed as dist

import solutions.distributed.collectives as _correct
from solutions.distributed.collectives import *  # noqa: F401,F403 (the rest is correct)


def ring_reduce_scatter(tensor):
    if dist.get_world_size() == 1:
        return tensor.clone()
    return _correct.ring_reduce_scatter(tensor)

"""With a single rank ring_all_reduce returns the input tensor itself, not a new tensor: the
caller's later in-place change of one changes the other.

Fix: return tensor.clone() when W == 1."""

import torch.distributed as dist

import solutions.distributed.collectives as reference
from solutions.distributed.collectives import *  # noqa: F401,F403 (the rest is correct)


def ring_all_reduce(tensor):
    if dist.get_world_size() == 1:
        return tensor
    return reference.ring_all_reduce(tensor)

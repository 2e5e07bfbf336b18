"""ring_all_gather calls dist.all_gather_into_tensor: the built-in collective the kata asks
you to write from send/recv.

Fix: W - 1 ring steps of isend/recv, one block each."""

import torch
import torch.distributed as dist

from solutions.distributed.collectives import *  # noqa: F401,F403 (the rest is correct)


def ring_all_gather(tensor):
    world = dist.get_world_size()
    block = tensor.reshape(1) if tensor.dim() == 0 else tensor.contiguous()
    out = torch.empty((world * block.shape[0], *block.shape[1:]), dtype=tensor.dtype)
    if out.numel():
        dist.all_gather_into_tensor(out, block)
    return out

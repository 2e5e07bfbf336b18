"""Chunks of N // W elements each, at i * (N // W): when W does not divide N the last N % W
elements belong to no chunk and are never reduced (and with N < W nothing is).

Fix: torch.tensor_split(flat, W): the first N % W chunks get one element more."""

import torch
import torch.distributed as dist

from solutions.distributed.collectives import *  # noqa: F401,F403 (the rest is correct)
from solutions.distributed.collectives import _exchange


def ring_all_reduce(tensor):
    world, rank = dist.get_world_size(), dist.get_rank()
    out = tensor.clone().contiguous()
    if world == 1 or out.numel() == 0:
        return out
    size = out.numel() // world
    flat = out.view(-1)
    chunks = [flat[i * size:(i + 1) * size] for i in range(world)]
    for step in range(world - 1):
        send, recv = chunks[(rank - step) % world], chunks[(rank - step - 1) % world]
        buffer = torch.empty_like(recv)
        _exchange(send, buffer, rank, world)
        recv += buffer
    for step in range(world - 1):
        send, recv = chunks[(rank - step + 1) % world], chunks[(rank - step) % world]
        _exchange(send, recv, rank, world)
    return out

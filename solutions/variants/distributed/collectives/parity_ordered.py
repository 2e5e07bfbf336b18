"""Blocking send/recv ordered by rank parity (even ranks send first, odd ranks receive first),
lists of chunk copies joined with torch.cat, and one generic ring pass for every phase."""

import torch
import torch.distributed as dist


def _step(send: torch.Tensor, recv: torch.Tensor) -> None:
    rank, world = dist.get_rank(), dist.get_world_size()
    right, left = (rank + 1) % world, (rank - 1) % world
    if rank % 2 == 0:
        dist.send(send.contiguous(), right)
        dist.recv(recv, left)
    else:
        dist.recv(recv, left)
        dist.send(send.contiguous(), right)


def _ring(pieces: list, first_offset: int, add: bool) -> None:
    """W - 1 steps: send piece (r + first_offset - s) % W, receive the one before it."""
    rank, world = dist.get_rank(), dist.get_world_size()
    for s in range(world - 1):
        out_i = (rank + first_offset - s) % world
        in_i = (out_i - 1) % world
        arrived = torch.empty_like(pieces[in_i])
        _step(pieces[out_i], arrived)
        pieces[in_i] = pieces[in_i] + arrived if add else arrived


def ring_all_reduce(tensor: torch.Tensor) -> torch.Tensor:
    world = dist.get_world_size()
    flat = tensor.reshape(-1)
    pieces = [p.clone() for p in torch.tensor_split(flat, world)]
    if world > 1 and flat.numel() > 0:
        _ring(pieces, 0, add=True)
        _ring(pieces, 1, add=False)
    return torch.cat(pieces).reshape(tensor.shape)


def ring_all_gather(tensor: torch.Tensor) -> torch.Tensor:
    world, rank = dist.get_world_size(), dist.get_rank()
    mine = tensor.reshape(1) if tensor.dim() == 0 else tensor.clone(memory_format=torch.contiguous_format)
    pieces = [torch.empty_like(mine) for _ in range(world)]
    pieces[rank] = mine.contiguous()
    if world > 1 and mine.numel() > 0:
        _ring(pieces, 0, add=False)
    return torch.cat(pieces, dim=0)


def ring_reduce_scatter(tensor: torch.Tensor) -> torch.Tensor:
    if tensor.dim() == 0:
        raise ValueError("ring_reduce_scatter needs a tensor with at least one dimension")
    world, rank = dist.get_world_size(), dist.get_rank()
    pieces = [p.contiguous().clone() for p in torch.tensor_split(tensor, world, dim=0)]
    if world > 1 and tensor.numel() > 0:
        _ring(pieces, -1, add=True)
    return pieces[rank]

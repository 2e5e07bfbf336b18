"""ring_all_reduce works on a float32 copy of the tensor and casts the sum back: float64
sums lose their low bits and int64 sums above 2 ** 24 are rounded.

Fix: clone the input in its own dtype and add in that dtype."""

import torch
import torch.distributed as dist


def _exchange(send: torch.Tensor, recv: torch.Tensor, rank: int, world: int) -> None:
    """One ring step: send to the right neighbour while receiving from the left one. The
    send is asynchronous, so no rank blocks in a send that nobody is receiving yet."""
    handle = dist.isend(send.contiguous(), (rank + 1) % world)
    dist.recv(recv, (rank - 1) % world)
    handle.wait()


def ring_all_reduce(tensor: torch.Tensor) -> torch.Tensor:
    world, rank = dist.get_world_size(), dist.get_rank()
    out = tensor.to(torch.float32, copy=True).contiguous()
    if world == 1 or out.numel() == 0:
        return out.to(tensor.dtype)
    chunks = torch.tensor_split(out.view(-1), world)  # views into out
    # reduce-scatter: after W - 1 steps, chunk (rank + 1) % W holds the sum over all ranks
    for step in range(world - 1):
        send, recv = chunks[(rank - step) % world], chunks[(rank - step - 1) % world]
        buffer = torch.empty_like(recv)
        _exchange(send, buffer, rank, world)
        recv += buffer
    # all-gather: pass the summed chunks around the ring
    for step in range(world - 1):
        send, recv = chunks[(rank - step + 1) % world], chunks[(rank - step) % world]
        _exchange(send, recv, rank, world)
    return out.to(tensor.dtype)


def ring_all_gather(tensor: torch.Tensor) -> torch.Tensor:
    world, rank = dist.get_world_size(), dist.get_rank()
    block = tensor.reshape(1) if tensor.dim() == 0 else tensor
    blocks = torch.empty((world, *block.shape), dtype=tensor.dtype, device=tensor.device)
    out = blocks.view(world * block.shape[0], *block.shape[1:])  # blocks[q] is rank q's part
    blocks[rank].copy_(block)
    if world == 1 or out.numel() == 0:
        return out
    for step in range(world - 1):
        _exchange(blocks[(rank - step) % world], blocks[(rank - step - 1) % world], rank, world)
    return out


def ring_reduce_scatter(tensor: torch.Tensor) -> torch.Tensor:
    if tensor.dim() == 0:
        raise ValueError("ring_reduce_scatter needs a tensor with at least one dimension")
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

"""isend and irecv both asynchronous in every step, waited together; explicit chunk offsets
computed from sizes instead of tensor_split views, integer arithmetic kept in a helper."""

import torch
import torch.distributed as dist


def _bounds(n: int, world: int) -> list[tuple[int, int]]:
    """[start, stop) of each chunk: the first n % world chunks one element longer."""
    base, extra = divmod(n, world)
    bounds, start = [], 0
    for i in range(world):
        stop = start + base + (1 if i < extra else 0)
        bounds.append((start, stop))
        start = stop
    return bounds


def _swap(outgoing: torch.Tensor, incoming: torch.Tensor) -> None:
    rank, world = dist.get_rank(), dist.get_world_size()
    handles = [dist.irecv(incoming, (rank - 1) % world), dist.isend(outgoing.contiguous(), (rank + 1) % world)]
    for handle in handles:
        handle.wait()


def ring_all_reduce(tensor: torch.Tensor) -> torch.Tensor:
    rank, world = dist.get_rank(), dist.get_world_size()
    work = tensor.contiguous().clone().flatten()
    if world > 1 and work.numel():
        b = _bounds(work.numel(), world)
        for s in range(world - 1):
            (a0, a1), (c0, c1) = b[(rank - s) % world], b[(rank - s - 1) % world]
            incoming = work.new_empty(c1 - c0)
            _swap(work[a0:a1], incoming)
            work[c0:c1] += incoming
        for s in range(world - 1):
            (a0, a1), (c0, c1) = b[(rank - s + 1) % world], b[(rank - s) % world]
            incoming = work.new_empty(c1 - c0)
            _swap(work[a0:a1], incoming)
            work[c0:c1] = incoming
    return work.view(tensor.shape)


def ring_all_gather(tensor: torch.Tensor) -> torch.Tensor:
    rank, world = dist.get_rank(), dist.get_world_size()
    mine = tensor.contiguous() if tensor.dim() else tensor.reshape(1)
    rows = mine.shape[0]
    out = mine.new_empty((world * rows, *mine.shape[1:]))
    out[rank * rows:(rank + 1) * rows] = mine
    if world > 1 and out.numel():
        for s in range(world - 1):
            src, dst = (rank - s) % world, (rank - s - 1) % world
            incoming = mine.new_empty(mine.shape)
            _swap(out[src * rows:(src + 1) * rows], incoming)
            out[dst * rows:(dst + 1) * rows] = incoming
    return out


def ring_reduce_scatter(tensor: torch.Tensor) -> torch.Tensor:
    if tensor.dim() == 0:
        raise ValueError("ring_reduce_scatter needs a tensor with at least one dimension")
    rank, world = dist.get_rank(), dist.get_world_size()
    work = tensor.contiguous().clone()
    b = _bounds(work.shape[0], world)
    if world > 1 and work.numel():
        for s in range(world - 1):
            (a0, a1), (c0, c1) = b[(rank - s - 1) % world], b[(rank - s - 2) % world]
            incoming = work.new_empty((c1 - c0, *work.shape[1:]))
            _swap(work[a0:a1], incoming)
            work[c0:c1] += incoming
    start, stop = b[rank]
    return work[start:stop].clone()

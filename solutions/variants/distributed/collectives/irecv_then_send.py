"""irecv posted first, then a blocking send, in every ring step; chunks kept as a list of copies
replaced (not added in place) and joined by torch.cat at the end."""
import torch
import torch.distributed as dist


def _step(send, recv_like, rank, world):
    buf = torch.empty(recv_like.shape, dtype=recv_like.dtype)
    h = dist.irecv(buf, (rank - 1) % world)
    dist.send(send.contiguous(), (rank + 1) % world)
    h.wait()
    return buf


def ring_all_reduce(tensor):
    world, rank = dist.get_world_size(), dist.get_rank()
    flat = tensor.reshape(-1)
    if world == 1 or flat.numel() == 0:
        return tensor.clone(memory_format=torch.contiguous_format)
    chunks = [c.clone() for c in torch.tensor_split(flat, world)]
    for s in range(world - 1):
        chunks[(rank - s - 1) % world] = chunks[(rank - s - 1) % world] + _step(chunks[(rank - s) % world], chunks[(rank - s - 1) % world], rank, world)
    for s in range(world - 1):
        chunks[(rank - s) % world] = _step(chunks[(rank - s + 1) % world], chunks[(rank - s) % world], rank, world)
    return torch.cat(chunks).reshape(tensor.shape)


def ring_all_gather(tensor):
    world, rank = dist.get_world_size(), dist.get_rank()
    t = tensor.reshape(1) if tensor.dim() == 0 else tensor
    parts = [None] * world
    parts[rank] = t.clone(memory_format=torch.contiguous_format)
    if world == 1 or t.numel() == 0:
        return torch.cat([parts[rank]] * world) if t.numel() == 0 else parts[rank]
    for s in range(world - 1):
        parts[(rank - s - 1) % world] = _step(parts[(rank - s) % world], t, rank, world)
    return torch.cat(parts, dim=0)


def ring_reduce_scatter(tensor):
    if tensor.ndim == 0:
        raise ValueError("ring_reduce_scatter needs a tensor with at least one dimension")
    world, rank = dist.get_world_size(), dist.get_rank()
    blocks = list(torch.tensor_split(tensor, world, dim=0))
    if world == 1 or tensor.numel() == 0:
        return blocks[rank].clone(memory_format=torch.contiguous_format)
    acc = {}
    for s in range(world - 1):
        si, ri = (rank - s - 1) % world, (rank - s - 2) % world
        send = acc.get(si, blocks[si])
        acc[ri] = blocks[ri] + _step(send, blocks[ri], rank, world)
    return acc[rank]

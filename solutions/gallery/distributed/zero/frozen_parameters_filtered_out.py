"""The constructor keeps only the parameters with requires_grad=True (like DDP's bucketing),
so a frozen parameter silently drops out of the flat vector and step() never raises for its
missing gradient, where the contract's params is every parameter given and a missing .grad is
a ValueError naming its index.

Fix: self.params = list(params), frozen ones included; let step's .grad check see them.
"""

from __future__ import annotations

from typing import Any, Iterable

import torch
import torch.distributed as dist


def shard_range(numel: int, world_size: int, rank: int) -> tuple[int, int]:
    """Elements [start, stop) of a flat vector of `numel` that `rank` owns (torch.tensor_split's split)."""
    base, extra = divmod(numel, world_size)
    start = rank * base + min(rank, extra)
    stop = start + base + (1 if rank < extra else 0)
    return start, stop


class ZeroOptimizer:
    """ZeRO stage 1: each rank keeps optimizer state for its shard of the flattened parameters."""

    def __init__(self, params: Iterable[torch.Tensor], optimizer_cls: type, **kwargs: Any) -> None:
        self.params = [p for p in params if p.requires_grad]
        if not self.params:
            raise ValueError("ZeroOptimizer got no parameters")
        first = self.params[0]
        for p in self.params:
            if p.dtype != first.dtype or p.device != first.device:
                raise ValueError("ZeroOptimizer needs every parameter on one dtype and device")
        self.rank, self.world_size = dist.get_rank(), dist.get_world_size()
        self.numel = sum(p.numel() for p in self.params)
        self.start, self.stop = shard_range(self.numel, self.world_size, self.rank)
        with torch.no_grad():
            self.shard = self._flat_slice([p.detach() for p in self.params]).clone()
        self.shard.requires_grad_(True)
        self.optimizer = optimizer_cls([self.shard], **kwargs)

    def _flat_slice(self, tensors: list[torch.Tensor]) -> torch.Tensor:
        """Elements [start, stop) of the tensors flattened and concatenated, without building all of it."""
        pieces, offset = [], 0
        for t in tensors:
            lo, hi = max(self.start, offset), min(self.stop, offset + t.numel())
            if lo < hi:
                pieces.append(t.reshape(-1)[lo - offset:hi - offset])
            offset += t.numel()
        if not pieces:
            return tensors[0].new_empty(0)
        return torch.cat(pieces)

    @torch.no_grad()
    def step(self) -> None:
        for i, p in enumerate(self.params):
            if p.grad is None:
                raise ValueError(f"parameter {i} has no gradient: ZeroOptimizer.step needs every .grad")
        self.shard.grad = self._flat_slice([p.grad for p in self.params])
        self.optimizer.step()
        self.shard.grad = None

        # all-gather the updated shards; every block padded to the largest shard's size
        size = -(-self.numel // self.world_size)
        mine = torch.zeros(size, dtype=self.shard.dtype, device=self.shard.device)
        mine[:len(self.shard)] = self.shard
        blocks = [torch.empty_like(mine) for _ in range(self.world_size)]
        dist.all_gather(blocks, mine)
        flat = torch.cat([block[:stop - start] for block, (start, stop) in
                          zip(blocks, (shard_range(self.numel, self.world_size, r) for r in range(self.world_size)))])
        offset = 0
        for p in self.params:
            p.copy_(flat[offset:offset + p.numel()].view_as(p))
            offset += p.numel()

    def zero_grad(self, set_to_none: bool = True) -> None:
        for p in self.params:
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad.zero_()

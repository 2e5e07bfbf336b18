"""The all-gather is launched with async_op=True and its handle dropped: the shards are cut
out of the output and copied into the parameters while gloo may still be filling it, so the
parameters get stale or half-written values (a race: right on some runs, wrong on others).

Fix: dist.all_gather(blocks, mine) without async_op, or keep the handle and .wait() it before
reading blocks."""

import torch
import torch.distributed as dist

import solutions.distributed.zero as ref
from solutions.distributed.zero import *  # noqa: F401,F403 (the rest is correct)


class ZeroOptimizer(ref.ZeroOptimizer):
    @torch.no_grad()
    def step(self):
        for i, p in enumerate(self.params):
            if p.grad is None:
                raise ValueError(f"parameter {i} has no gradient: ZeroOptimizer.step needs every .grad")
        self.shard.grad = self._flat_slice([p.grad for p in self.params])
        self.optimizer.step()
        self.shard.grad = None
        size = -(-self.numel // self.world_size)
        mine = torch.zeros(size, dtype=self.shard.dtype, device=self.shard.device)
        mine[:len(self.shard)] = self.shard
        blocks = [torch.empty_like(mine) for _ in range(self.world_size)]
        dist.all_gather(blocks, mine, async_op=True)  # the handle is dropped
        flat = torch.cat([block[:stop - start] for block, (start, stop) in
                          zip(blocks, (shard_range(self.numel, self.world_size, r) for r in range(self.world_size)))])
        offset = 0
        for p in self.params:
            p.copy_(flat[offset:offset + p.numel()].view_as(p))
            offset += p.numel()

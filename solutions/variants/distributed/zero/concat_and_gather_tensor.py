"""ZeRO-1 written with whole-vector operations: the flat gradient is concatenated for the step
(and dropped with it), the padded shards are gathered into one tensor, and the parameters are
refilled from torch.split of the result."""

from __future__ import annotations

import math

import torch
import torch.distributed as dist


def shard_range(numel, world_size, rank):
    sizes = [numel // world_size + (1 if r < numel % world_size else 0) for r in range(world_size)]
    start = sum(sizes[:rank])
    return start, start + sizes[rank]


class ZeroOptimizer:
    def __init__(self, params, optimizer_cls, **kwargs):
        self.params = list(params)
        if len(self.params) == 0:
            raise ValueError("no parameters to optimize")
        if len({(p.dtype, p.device) for p in self.params}) > 1:
            raise ValueError("all parameters must share one dtype and device")
        self.world = dist.get_world_size()
        self.n = sum(p.numel() for p in self.params)
        self.ranges = [shard_range(self.n, self.world, r) for r in range(self.world)]
        self.start, self.stop = self.ranges[dist.get_rank()]
        flat = torch.cat([p.detach().flatten() for p in self.params])
        self.shard = flat[self.start:self.stop].clone().requires_grad_()
        del flat
        self.optimizer = optimizer_cls([self.shard], **kwargs)

    def step(self):
        with torch.no_grad():
            missing = [i for i, p in enumerate(self.params) if p.grad is None]
            if missing:
                raise ValueError(f"parameters {missing} have no .grad")
            self.shard.grad = torch.cat([p.grad.flatten() for p in self.params])[self.start:self.stop].clone()
            self.optimizer.step()
            self.shard.grad = None
            width = math.ceil(self.n / self.world)
            padded = torch.cat([self.shard.detach(), self.shard.new_zeros(width - self.shard.numel())])
            out = padded.new_empty(self.world * width)
            dist.all_gather_into_tensor(out, padded)
            pieces = [out[r * width:r * width + (b - a)] for r, (a, b) in enumerate(self.ranges)]
            values = torch.split(torch.cat(pieces), [p.numel() for p in self.params])
            for p, v in zip(self.params, values):
                p.copy_(v.view(p.shape))

    def zero_grad(self, set_to_none=True):
        for p in self.params:
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad.zero_()

"""Each bucket's flat gradient is divided by W before its all-reduce (the sum of the ranks'
averages is the average); handles kept in a dict keyed by bucket, countdowns per bucket."""

import torch
import torch.distributed as dist
from torch import nn


class DDP(nn.Module):
    def __init__(self, module: nn.Module, bucket_bytes: int):
        super().__init__()
        if bucket_bytes <= 0:
            raise ValueError(f"bucket_bytes must be positive, got {bucket_bytes}")
        self.module = module
        with torch.no_grad():
            for t in (*module.parameters(), *module.buffers()):
                dist.broadcast(t, src=0)
        trainable = [p for p in module.parameters() if p.requires_grad][::-1]
        self.buckets, used = [], bucket_bytes + 1
        for p in trainable:
            b = p.numel() * p.element_size()
            if used + b > bucket_bytes:
                self.buckets.append([])
                used = 0
            self.buckets[-1].append(p)
            used += b
        self.home = {id(p): k for k, ps in enumerate(self.buckets) for p in ps}
        self.waiting = {}
        self.handles = {}
        for p in trainable:
            p.register_post_accumulate_grad_hook(self._ready)

    def _ready(self, p):
        k = self.home[id(p)]
        left = self.waiting.setdefault(k, len(self.buckets[k])) - 1
        self.waiting[k] = left
        if left == 0:
            flat = torch.cat([q.grad.flatten() for q in self.buckets[k]]).div_(dist.get_world_size())
            self.handles[k] = (dist.all_reduce(flat, async_op=True), flat)

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def finish_gradient_synchronization(self):
        for k, (work, flat) in self.handles.items():
            work.wait()
            for q, piece in zip(self.buckets[k], flat.split([q.numel() for q in self.buckets[k]])):
                q.grad.copy_(piece.view_as(q))
        self.handles, self.waiting = {}, {}

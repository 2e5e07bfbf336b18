"""Buckets are formed over every parameter in reverse order, frozen ones skipped only when
joining a bucket: a frozen parameter's bytes still count toward the bucket's size, so a frozen
tensor between trainable ones closes buckets early and the all-reduces no longer follow the
greedy grouping of the trainable parameters.

Fix: filter on requires_grad first, then group: reversed([p for p in module.parameters() if p.requires_grad]).
"""

import torch
import torch.distributed as dist
from torch import nn


class DDP(nn.Module):
    def __init__(self, module: nn.Module, bucket_bytes: int):
        super().__init__()
        if bucket_bytes <= 0:
            raise ValueError(f"bucket_bytes must be positive, got {bucket_bytes}")
        self.module = module
        with torch.no_grad():  # every rank starts from rank 0's weights
            for tensor in [*module.parameters(), *module.buffers()]:
                dist.broadcast(tensor, src=0)
        # greedy buckets over the trainable parameters, last layer first
        self.buckets: list[list[nn.Parameter]] = []
        size = 0
        for param in reversed(list(module.parameters())):
            nbytes = param.numel() * param.element_size()
            if not self.buckets or size + nbytes > bucket_bytes:
                self.buckets.append([])
                size = 0
            if param.requires_grad:
                self.buckets[-1].append(param)
            size += nbytes
        self.buckets = [bucket for bucket in self.buckets if bucket]
        self.bucket_of = {param: i for i, bucket in enumerate(self.buckets) for param in bucket}
        self.ready = [0] * len(self.buckets)
        self.pending: list[tuple[dist.Work, torch.Tensor, int]] = []
        for param in self.bucket_of:
            param.register_post_accumulate_grad_hook(self._grad_ready)

    def _grad_ready(self, param: nn.Parameter) -> None:
        i = self.bucket_of[param]
        self.ready[i] += 1
        if self.ready[i] == len(self.buckets[i]):  # the whole bucket: launch, don't wait
            flat = torch.cat([p.grad.reshape(-1) for p in self.buckets[i]])
            self.pending.append((dist.all_reduce(flat, async_op=True), flat, i))

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def finish_gradient_synchronization(self) -> None:
        world = dist.get_world_size()
        for handle, flat, i in self.pending:
            handle.wait()
            flat /= world
            offset = 0
            for param in self.buckets[i]:
                n = param.numel()
                param.grad.copy_(flat[offset:offset + n].view_as(param.grad))
                offset += n
        self.pending = []
        self.ready = [0] * len(self.buckets)

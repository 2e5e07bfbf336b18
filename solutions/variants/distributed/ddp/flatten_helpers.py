"""torch._utils' flatten/unflatten helpers, a set of ready parameters per bucket instead of
a counter, a queue of (handle, bucket index) launches, grads replaced via torch._foreach."""

import torch
import torch.distributed as dist
from torch import nn
from torch._utils import _flatten_dense_tensors, _unflatten_dense_tensors


class DDP(nn.Module):
    def __init__(self, module: nn.Module, bucket_bytes: int):
        super().__init__()
        if bucket_bytes <= 0:
            raise ValueError(f"bucket_bytes must be positive, got {bucket_bytes}")
        self.module = module
        with torch.no_grad():
            for p in module.parameters():
                dist.broadcast(p.data, 0)
            for b in module.buffers():
                dist.broadcast(b, 0)
        groups, sizes = [], []
        for p in reversed(list(module.parameters())):
            if not p.requires_grad:
                continue
            n = p.numel() * p.element_size()
            if groups and sizes[-1] + n <= bucket_bytes:
                groups[-1].append(p)
                sizes[-1] += n
            else:
                groups.append([p])
                sizes.append(n)
        self.groups = groups
        self.index = {id(p): g for g, group in enumerate(groups) for p in group}
        self.seen = [set() for _ in groups]
        self.launched = []
        for group in groups:
            for p in group:
                p.register_post_accumulate_grad_hook(self._on_grad)

    def _on_grad(self, p):
        g = self.index[id(p)]
        self.seen[g].add(id(p))
        if len(self.seen[g]) == len(self.groups[g]):
            flat = _flatten_dense_tensors([q.grad for q in self.groups[g]])
            self.launched.append((dist.all_reduce(flat, async_op=True), flat, g))

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def finish_gradient_synchronization(self) -> None:
        while self.launched:
            handle, flat, g = self.launched.pop(0)
            handle.wait()
            grads = [q.grad for q in self.groups[g]]
            averaged = _unflatten_dense_tensors(flat / dist.get_world_size(), grads)
            torch._foreach_copy_(grads, list(averaged))
        self.seen = [set() for _ in self.groups]

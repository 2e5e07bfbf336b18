"""Each bucket owns a flat gradient buffer: the hook copies the parameter's gradient into its
slice, the full buffer is all-reduced, finish divides it in place and copies the slices
back. Bucket state lives in small dataclass objects; broadcast on one flattened copy per dtype."""

from dataclasses import dataclass, field

import torch
import torch.distributed as dist
from torch import nn


@dataclass
class _Bucket:
    params: list
    offsets: list = field(default_factory=list)
    buffer: torch.Tensor | None = None
    arrived: int = 0
    handle: object = None


class DDP(nn.Module):
    def __init__(self, module: nn.Module, bucket_bytes: int):
        super().__init__()
        if bucket_bytes <= 0:
            raise ValueError(f"bucket_bytes must be positive, got {bucket_bytes}")
        self.module = module
        tensors = [*module.parameters(), *module.buffers()]
        with torch.no_grad():  # one flattened copy per dtype (a mixed cat would promote int64 to float)
            for dtype in dict.fromkeys(t.dtype for t in tensors):
                group = [t for t in tensors if t.dtype == dtype]
                flat = torch.cat([t.reshape(-1) for t in group])
                dist.broadcast(flat, src=0)
                start = 0
                for t in group:
                    t.copy_(flat[start:start + t.numel()].view_as(t))
                    start += t.numel()
        self._buckets: list[_Bucket] = []
        trainable = [p for p in module.parameters() if p.requires_grad][::-1]
        current, used = [], 0
        for p in trainable:
            size = p.numel() * p.element_size()
            if current and used + size > bucket_bytes:
                self._buckets.append(_Bucket(current))
                current, used = [], 0
            current.append(p)
            used += size
        if current:
            self._buckets.append(_Bucket(current))
        for bucket in self._buckets:
            total = 0
            for p in bucket.params:
                bucket.offsets.append(total)
                total += p.numel()
                p.register_post_accumulate_grad_hook(self._make_hook(bucket, len(bucket.offsets) - 1))
            bucket.buffer = torch.zeros(total, dtype=bucket.params[0].dtype)

    def _make_hook(self, bucket: _Bucket, index: int):
        def hook(param):
            start = bucket.offsets[index]
            bucket.buffer[start:start + param.numel()].copy_(param.grad.reshape(-1))
            bucket.arrived += 1
            if bucket.arrived == len(bucket.params):
                bucket.handle = dist.all_reduce(bucket.buffer, async_op=True)
        return hook

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def finish_gradient_synchronization(self) -> None:
        world = dist.get_world_size()
        for bucket in self._buckets:
            if bucket.handle is not None:
                bucket.handle.wait()
                bucket.buffer.div_(world)
                for p, start in zip(bucket.params, bucket.offsets):
                    p.grad.copy_(bucket.buffer[start:start + p.numel()].view_as(p.grad))
            bucket.arrived, bucket.handle = 0, None

"""Construction broadcasts module.state_dict().values(): the parameters and the persistent
buffers share storage with those, but a buffer registered with persistent=False is not in
the state dict, so it keeps each rank's own value.

Fix: broadcast module.parameters() and module.buffers() (every buffer, persistent or not)."""

import torch
import torch.distributed as dist
from torch import nn

from solutions.distributed.ddp import *  # noqa: F401,F403 (the rest is correct)
from solutions.distributed.ddp import DDP as _Correct


class DDP(_Correct):
    def __init__(self, module, bucket_bytes):
        nn.Module.__init__(self)
        if bucket_bytes <= 0:
            raise ValueError(f"bucket_bytes must be positive, got {bucket_bytes}")
        self.module = module
        with torch.no_grad():
            for tensor in module.state_dict().values():
                dist.broadcast(tensor, src=0)
        self.buckets = []
        size = 0
        for param in reversed([p for p in module.parameters() if p.requires_grad]):
            nbytes = param.numel() * param.element_size()
            if not self.buckets or size + nbytes > bucket_bytes:
                self.buckets.append([])
                size = 0
            self.buckets[-1].append(param)
            size += nbytes
        self.bucket_of = {param: i for i, bucket in enumerate(self.buckets) for param in bucket}
        self.ready = [0] * len(self.buckets)
        self.pending = []
        for param in self.bucket_of:
            param.register_post_accumulate_grad_hook(self._grad_ready)

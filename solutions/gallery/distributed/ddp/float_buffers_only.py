"""Only floating-point buffers are broadcast from rank 0 (as if broadcast were for floats
only): integer buffers (BatchNorm's num_batches_tracked, counters) keep each rank's own values.

Fix: broadcast every buffer, whatever its dtype."""

import torch
import torch.distributed as dist
from torch import nn

from solutions.distributed.ddp import *  # noqa: F401,F403 (the rest is correct)
from solutions.distributed.ddp import DDP as _Correct


class DDP(_Correct):
    def __init__(self, module: nn.Module, bucket_bytes: int):
        nn.Module.__init__(self)
        if bucket_bytes <= 0:
            raise ValueError(f"bucket_bytes must be positive, got {bucket_bytes}")
        self.module = module
        with torch.no_grad():  # every rank starts from rank 0's weights
            for tensor in [*module.parameters(), *(b for b in module.buffers() if b.is_floating_point())]:
                dist.broadcast(tensor, src=0)
        # greedy buckets over the trainable parameters, last layer first
        self.buckets: list[list[nn.Parameter]] = []
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
        self.pending: list[tuple[dist.Work, torch.Tensor, int]] = []
        for param in self.bucket_of:
            param.register_post_accumulate_grad_hook(self._grad_ready)

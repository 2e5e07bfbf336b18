"""The parameters are collected by walking module.modules() and each one's
parameters(recurse=False): a weight shared by two layers (tied embeddings) comes twice, so
it is broadcast twice and sits twice in its bucket, all-reducing its gradient twice the bytes.

Fix: module.parameters(), which yields every parameter once."""

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
        params = [p for m in module.modules() for p in m.parameters(recurse=False)]
        with torch.no_grad():
            for tensor in [*params, *module.buffers()]:
                dist.broadcast(tensor, src=0)
        self.buckets = []
        size = 0
        for param in reversed([p for p in params if p.requires_grad]):
            nbytes = param.numel() * param.element_size()
            if not self.buckets or size + nbytes > bucket_bytes:
                self.buckets.append([])
                size = 0
            self.buckets[-1].append(param)
            size += nbytes
        self.bucket_of = {}
        for i, bucket in enumerate(self.buckets):
            for p in bucket:
                self.bucket_of[p] = i
        self.ready = [0] * len(self.buckets)
        self.pending = []
        for param in params:
            if param.requires_grad:
                param.register_post_accumulate_grad_hook(self._grad_ready)

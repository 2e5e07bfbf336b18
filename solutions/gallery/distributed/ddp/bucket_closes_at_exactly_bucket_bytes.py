"""The size check uses >=: a parameter that would fill the bucket to exactly bucket_bytes
starts a new bucket, although a bucket may hold up to bucket_bytes inclusive.

Fix: start a new bucket only when size + the parameter's bytes > bucket_bytes."""

from solutions.distributed.ddp import *  # noqa: F401,F403 (the rest is correct)
from solutions.distributed.ddp import DDP as _Correct


class DDP(_Correct):
    def __init__(self, module, bucket_bytes):
        super().__init__(module, bucket_bytes)
        self.buckets, size = [], 0
        for param in reversed([p for p in module.parameters() if p.requires_grad]):
            nbytes = param.numel() * param.element_size()
            if not self.buckets or size + nbytes >= bucket_bytes:
                self.buckets.append([])
                size = 0
            self.buckets[-1].append(param)
            size += nbytes
        self.bucket_of = {param: i for i, bucket in enumerate(self.buckets) for param in bucket}
        self.ready = [0] * len(self.buckets)

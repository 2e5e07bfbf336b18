"""A parameter is added to the current bucket before the size check, so a bucket can grow past
bucket_bytes (it closes only once it is already over).

Fix: start a new bucket when size + the parameter's bytes would exceed bucket_bytes."""


from solutions.distributed.ddp import *  # noqa: F401,F403 (the rest is correct)
from solutions.distributed.ddp import DDP as _Correct


class DDP(_Correct):
    def __init__(self, module, bucket_bytes):
        super().__init__(module, bucket_bytes)
        self.buckets, size = [[]], 0
        for param in reversed([p for p in module.parameters() if p.requires_grad]):
            self.buckets[-1].append(param)
            size += param.numel() * param.element_size()
            if size > bucket_bytes:
                self.buckets.append([])
                size = 0
        self.buckets = [b for b in self.buckets if b]
        self.bucket_of = {param: i for i, bucket in enumerate(self.buckets) for param in bucket}
        self.ready = [0] * len(self.buckets)

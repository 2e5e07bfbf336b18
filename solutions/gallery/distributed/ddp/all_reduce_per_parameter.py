"""Every parameter's gradient gets its own all-reduce, whatever bucket_bytes says: many small
messages, each paying the collective's fixed latency (buckets exist to avoid that).

Fix: one all-reduce per bucket, of the bucket's gradients flattened into one tensor."""

import torch.distributed as dist

from solutions.distributed.ddp import *  # noqa: F401,F403 (the rest is correct)
from solutions.distributed.ddp import DDP as _Correct


class DDP(_Correct):
    def _grad_ready(self, param):
        flat = param.grad.reshape(-1).clone()
        self.pending.append((dist.all_reduce(flat, async_op=True), flat, param))

    def finish_gradient_synchronization(self):
        for handle, flat, param in self.pending:
            handle.wait()
            param.grad.copy_((flat / dist.get_world_size()).view_as(param.grad))
        self.pending = []

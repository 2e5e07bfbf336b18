"""Each bucket is divided by the world size before its all-reduce AND after it: the gradients
come out W times too small (the average of averages, divided again).

Fix: sum with the all-reduce, divide by W exactly once."""

import torch
import torch.distributed as dist

from solutions.distributed.ddp import *  # noqa: F401,F403 (the rest is correct)
from solutions.distributed.ddp import DDP as _Correct


class DDP(_Correct):
    def _grad_ready(self, param):
        i = self.bucket_of[param]
        self.ready[i] += 1
        if self.ready[i] == len(self.buckets[i]):
            flat = torch.cat([p.grad.reshape(-1) for p in self.buckets[i]]) / dist.get_world_size()
            self.pending.append((dist.all_reduce(flat, async_op=True), flat, i))

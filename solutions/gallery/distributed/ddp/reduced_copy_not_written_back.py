"""The hook all-reduces a flattened copy of the bucket's gradients, and finish waits for it, but
never writes the result back into param.grad: every rank steps with its own gradient.

Fix: after the wait, copy each parameter's slice of the (averaged) bucket into param.grad."""

import torch.distributed as dist

from solutions.distributed.ddp import *  # noqa: F401,F403 (the rest is correct)
from solutions.distributed.ddp import DDP as _Correct


class DDP(_Correct):
    def finish_gradient_synchronization(self):
        for handle, flat, i in self.pending:
            handle.wait()
            flat /= dist.get_world_size()
        self.pending = []
        self.ready = [0] * len(self.buckets)

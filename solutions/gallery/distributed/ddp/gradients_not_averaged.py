"""finish_gradient_synchronization writes back the all-reduced SUM of the ranks' gradients:
W times the full batch's gradient (each rank's loss is already a mean over its samples).

Fix: divide the summed bucket by dist.get_world_size()."""


from solutions.distributed.ddp import *  # noqa: F401,F403 (the rest is correct)
from solutions.distributed.ddp import DDP as _Correct


class DDP(_Correct):
    def finish_gradient_synchronization(self):
        for handle, flat, i in self.pending:
            handle.wait()
            offset = 0
            for param in self.buckets[i]:
                n = param.numel()
                param.grad.copy_(flat[offset:offset + n].view_as(param.grad))
                offset += n
        self.pending = []
        self.ready = [0] * len(self.buckets)

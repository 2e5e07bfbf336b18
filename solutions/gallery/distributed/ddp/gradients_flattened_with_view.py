"""The hook flattens each gradient with .grad.view(-1): a gradient takes its parameter's
strides, so a non-contiguous parameter (a transposed weight, a channels_last convolution)
gives a gradient that .view(-1) cannot flatten, and backward raises.

Fix: flatten with .reshape(-1) (torch.cat([p.grad.reshape(-1) ...])) and write back with
grad.copy_(flat_slice.view_as(grad))."""


from solutions.distributed.ddp import *  # noqa: F401,F403 (the rest is correct)
from solutions.distributed.ddp import DDP as _Correct


class DDP(_Correct):
    def _grad_ready(self, param):
        i = self.bucket_of[param]
        self.ready[i] += 1
        if self.ready[i] == len(self.buckets[i]):
            flat = torch.cat([p.grad.view(-1) for p in self.buckets[i]])
            self.pending.append((dist.all_reduce(flat, async_op=True), flat, i))

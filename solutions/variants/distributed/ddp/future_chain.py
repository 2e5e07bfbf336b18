"""Per-bucket closures (functools.partial), the division by W chained on the all-reduce's future
(Work.get_future().then), grads reassigned from split views; parameters broadcast as one flat
vector copied back in place, buffers one by one."""
import functools
import torch
import torch.distributed as dist
from torch import nn


class DDP(nn.Module):
    def __init__(self, module, bucket_bytes):
        super().__init__()
        if not bucket_bytes > 0:
            raise ValueError("bucket_bytes must be positive, got %d" % bucket_bytes)
        self.module = module
        params = list(module.parameters())
        with torch.no_grad():
            if params:
                vec = torch.cat([p.detach().reshape(-1) for p in params])  # parameters_to_vector views: fails on a transposed one
                dist.broadcast(vec, 0)
                off = 0
                for p in params:
                    p.copy_(vec[off:off + p.numel()].view_as(p)); off += p.numel()
            for b in module.buffers():
                dist.broadcast(b, src=0)
        trainable = [p for p in params if p.requires_grad][::-1]
        buckets, cur, used = [], [], 0
        for p in trainable:
            nb = p.numel() * p.element_size()
            if cur and used + nb > bucket_bytes:
                buckets.append(cur); cur, used = [], 0
            cur.append(p); used += nb
        if cur:
            buckets.append(cur)
        self._buckets = buckets
        self._left = [len(b) for b in buckets]
        self._futs = {}
        for i, b in enumerate(buckets):
            for p in b:
                p.register_post_accumulate_grad_hook(functools.partial(self._hook, i))

    def _hook(self, i, p):
        self._left[i] -= 1
        if self._left[i] == 0:
            flat = torch.cat([q.grad.flatten() for q in self._buckets[i]])
            work = dist.all_reduce(flat, async_op=True)
            w = dist.get_world_size()
            self._futs[i] = (work, work.get_future().then(lambda f: f.value()[0] / w))

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def finish_gradient_synchronization(self):
        for i in sorted(self._futs):
            work, fut = self._futs[i]
            work.wait()
            avg = fut.wait()
            for q, g in zip(self._buckets[i], avg.split([q.numel() for q in self._buckets[i]])):
                q.grad = g.reshape(q.shape).clone()
        self._futs = {}
        self._left = [len(b) for b in self._buckets]

"""Buckets are filled in the order the gradients arrive during backward instead of the reverse
order of module.parameters(): the same buckets when the model registers its layers in the
order it uses them, other buckets when it does not.

Fix: fix the buckets at construction, from reversed(module.parameters()), greedy by bytes."""

import torch
import torch.distributed as dist
from torch import nn


class DDP(nn.Module):
    def __init__(self, module: nn.Module, bucket_bytes: int):
        super().__init__()
        if bucket_bytes <= 0:
            raise ValueError(f"bucket_bytes must be positive, got {bucket_bytes}")
        self.module = module
        self.bucket_bytes = bucket_bytes
        with torch.no_grad():  # every rank starts from rank 0's weights
            for tensor in [*module.parameters(), *module.buffers()]:
                dist.broadcast(tensor, src=0)
        self.trainable = [p for p in module.parameters() if p.requires_grad]
        self.current: list[nn.Parameter] = []
        self.size = self.arrived = 0
        self.pending: list[tuple[dist.Work, torch.Tensor, list[nn.Parameter]]] = []
        for param in self.trainable:
            param.register_post_accumulate_grad_hook(self._grad_ready)

    def _launch(self) -> None:
        flat = torch.cat([p.grad.reshape(-1) for p in self.current])
        self.pending.append((dist.all_reduce(flat, async_op=True), flat, self.current))
        self.current, self.size = [], 0

    def _grad_ready(self, param: nn.Parameter) -> None:
        nbytes = param.numel() * param.element_size()
        if self.current and self.size + nbytes > self.bucket_bytes:
            self._launch()
        self.current.append(param)
        self.size += nbytes
        self.arrived += 1
        if self.arrived == len(self.trainable):  # the last gradient of this backward
            self._launch()

    def forward(self, *args, **kwargs):
        return self.module(*args, **kwargs)

    def finish_gradient_synchronization(self) -> None:
        world = dist.get_world_size()
        for handle, flat, params in self.pending:
            handle.wait()
            flat /= world
            offset = 0
            for param in params:
                n = param.numel()
                param.grad.copy_(flat[offset:offset + n].view_as(param.grad))
                offset += n
        self.pending = []
        self.arrived = 0

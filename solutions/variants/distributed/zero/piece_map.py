"""ZeRO-1 with a precomputed piece map: for every parameter, the part of it this rank owns
(written in the style of a small training library: shard_range through torch.tensor_split,
gradients copied piece by piece into a persistent shard gradient buffer)."""

from __future__ import annotations

import torch
import torch.distributed as dist


def shard_range(numel: int, world_size: int, rank: int) -> tuple[int, int]:
    sizes = [len(c) for c in torch.tensor_split(torch.empty(numel, device="meta"), world_size)]  # no storage
    start = sum(sizes[:rank])
    return int(start), int(start + sizes[rank])


class ZeroOptimizer:
    def __init__(self, params, optimizer_cls, **kwargs):
        params = list(params)
        if not params:
            raise ValueError("ZeroOptimizer: empty parameter list")
        dtype, device = params[0].dtype, params[0].device
        if any(p.dtype != dtype or p.device != device for p in params):
            raise ValueError("ZeroOptimizer: parameters differ in dtype or device")
        self.params = params
        self.world_size = dist.get_world_size()
        self.numel = sum(p.numel() for p in params)
        self.bounds = [shard_range(self.numel, self.world_size, r) for r in range(self.world_size)]
        start, stop = self.bounds[dist.get_rank()]
        # pieces: (parameter index, first element in it, last + 1, offset in the shard)
        self.pieces, offset = [], 0
        for i, p in enumerate(params):
            lo, hi = max(start, offset), min(stop, offset + p.numel())
            if lo < hi:
                self.pieces.append((i, lo - offset, hi - offset, lo - start))
            offset += p.numel()
        self.shard = torch.empty(stop - start, dtype=dtype, device=device)
        with torch.no_grad():
            for i, a, b, at in self.pieces:
                self.shard[at:at + b - a] = params[i].detach().reshape(-1)[a:b]
        self.shard.requires_grad_(True)
        self.shard.grad = torch.zeros_like(self.shard)
        self.optimizer = optimizer_cls([self.shard], **kwargs)

    @torch.no_grad()
    def step(self):
        for i, p in enumerate(self.params):
            if p.grad is None:
                raise ValueError(f"ZeroOptimizer.step: params[{i}].grad is None")
        for i, a, b, at in self.pieces:
            self.shard.grad[at:at + b - a] = self.params[i].grad.reshape(-1)[a:b]
        self.optimizer.step()
        width = max(b - a for a, b in self.bounds)
        send = torch.zeros(width, dtype=self.shard.dtype, device=self.shard.device)
        send[:self.shard.numel()] = self.shard
        recv = [torch.empty_like(send) for _ in range(self.world_size)]
        dist.all_gather(recv, send)
        values = torch.cat([r[:b - a] for r, (a, b) in zip(recv, self.bounds)])
        offset = 0
        for p in self.params:
            p.view(-1).copy_(values[offset:offset + p.numel()]) if p.is_contiguous() else \
                p.copy_(values[offset:offset + p.numel()].view(p.shape))
            offset += p.numel()

    def zero_grad(self, set_to_none=True):
        for p in self.params:
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad.zero_()

"""shard_range by walking the ranks (ceil of what is left); the gather lands in one (W, S)
tensor and each rank's block is copied straight into the pieces of the parameters it covers."""
import torch
import torch.distributed as dist


def shard_range(numel, world_size, rank):
    start = 0
    for r in range(world_size):
        size = -(-(numel - start) // (world_size - r))  # ceil of what is left over the ranks left
        if r == rank:
            return int(start), int(start + size)
        start += size


class ZeroOptimizer:
    def __init__(self, params, optimizer_cls, **kwargs):
        ps = [p for p in params]
        if len(ps) == 0:
            raise ValueError("no parameters")
        if len({p.dtype for p in ps}) > 1 or len({str(p.device) for p in ps}) > 1:
            raise ValueError("parameters must share one dtype and one device")
        self._ps = ps
        self._w, self._r = dist.get_world_size(), dist.get_rank()
        self._n = sum(p.numel() for p in ps)
        self._offsets = []
        off = 0
        for p in ps:
            self._offsets.append(off); off += p.numel()
        lo, hi = shard_range(self._n, self._w, self._r)
        shard = torch.empty(hi - lo, dtype=ps[0].dtype, device=ps[0].device)
        self._fill(shard, lo, hi, [p.detach() for p in ps])
        self.shard = shard.requires_grad_()
        self.optimizer = optimizer_cls([self.shard], **kwargs)

    def _fill(self, out, lo, hi, tensors):
        for t, off in zip(tensors, self._offsets):
            a, b = max(lo, off), min(hi, off + t.numel())
            if a < b:
                out[a - lo:b - lo] = t.reshape(-1)[a - off:b - off]

    def step(self):
        with torch.no_grad():
            missing = [i for i, p in enumerate(self._ps) if p.grad is None]
            if missing:
                raise ValueError(f"parameter {missing[0]} has no .grad")
            lo, hi = shard_range(self._n, self._w, self._r)
            g = torch.empty_like(self.shard)
            self._fill(g, lo, hi, [p.grad for p in self._ps])
            self.shard.grad = g
            self.optimizer.step()
            self.shard.grad = None
            del g
            size = -(-self._n // self._w)
            send = torch.cat([self.shard.detach(), self.shard.new_zeros(size - self.shard.numel())])
            out = send.new_empty(self._w * size)
            dist.all_gather_into_tensor(out, send)
            blocks = out.view(self._w, size)
            for r in range(self._w):
                a0, b0 = shard_range(self._n, self._w, r)
                for p, off in zip(self._ps, self._offsets):
                    a, b = max(a0, off), min(b0, off + p.numel())
                    if a < b:
                        p.view(-1)[a - off:b - off].copy_(blocks[r, a - a0:b - a0]) if p.is_contiguous() else \
                            p.copy_(torch.cat([p.reshape(-1)[:a - off], blocks[r, a - a0:b - a0], p.reshape(-1)[b - off:]]).view_as(p))
            del out, blocks, send

    def zero_grad(self, set_to_none=True):
        for p in self._ps:
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad.zero_()

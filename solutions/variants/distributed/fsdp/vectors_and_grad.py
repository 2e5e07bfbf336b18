"""FSDP with torch.nn.utils.parameters_to_vector for the flat vectors, a gather through a list
of parts and torch.cat, the units run through a method of the module, and torch.autograd.grad
with an explicit output gradient for the recomputed unit's backward (the input's gradient
asked for whenever the input is floating point, integer ids skipped)."""

import math

import torch
import torch.distributed as dist
from torch import nn
from torch.func import functional_call
from torch.nn.utils import parameters_to_vector


class _Sharded(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, shard, fsdp, index):
        ctx.fsdp, ctx.index = fsdp, index
        ctx.save_for_backward(x, shard)
        with torch.no_grad():
            return fsdp.run_unit(index, fsdp.gather(shard), x)

    @staticmethod
    def backward(ctx, grad_y):
        x, shard = ctx.saved_tensors
        fsdp, index = ctx.fsdp, ctx.index
        full = fsdp.gather(shard).requires_grad_()
        inp = x.detach()
        if not inp.is_floating_point():  # integer token ids (an Embedding unit): no gradient
            with torch.enable_grad():
                (grad_full,), grad_x = torch.autograd.grad(fsdp.run_unit(index, full, inp), (full,), grad_y), None
        else:
            inp.requires_grad_()
            with torch.enable_grad():
                grad_full, grad_x = torch.autograd.grad(fsdp.run_unit(index, full, inp), (full, inp), grad_y)
        world = dist.get_world_size()
        pieces = list(grad_full.contiguous().view(world, -1))
        grad_shard = torch.empty_like(shard)
        dist.reduce_scatter(grad_shard, pieces, op=dist.ReduceOp.SUM)
        return grad_x, grad_shard.div_(world), None, None


class FSDP(nn.Module):
    def __init__(self, model):
        super().__init__()
        self.world = dist.get_world_size()
        rank = self.world and dist.get_rank()
        self.children_ = list(model.children())
        self.meta = []  # per child: None, or (index, [(name, shape)])
        shards = []
        for child in self.children_:
            params = list(child.named_parameters())
            if not params:
                self.meta.append(None)
                continue
            vector = parameters_to_vector([p for _, p in params]).detach()
            per_rank = math.ceil(vector.numel() / self.world)
            padded = torch.zeros(per_rank * self.world, dtype=vector.dtype, device=vector.device)
            padded[:vector.numel()] = vector
            shards.append(nn.Parameter(padded[rank * per_rank:(rank + 1) * per_rank].clone()))
            self.meta.append((len(shards) - 1, [(n, p.shape) for n, p in params]))
            child.to("meta")
        self.shards = nn.ParameterList(shards)

    def gather(self, shard):
        parts = [torch.empty_like(shard) for _ in range(self.world)]
        dist.all_gather(parts, shard.detach().contiguous())
        return torch.cat(parts)

    def run_unit(self, index, full, x):
        child = self.children_[index]
        _, layout = self.meta[index]
        params, at = {}, 0
        for name, shape in layout:
            params[name] = full[at:at + shape.numel()].view(shape)
            at += shape.numel()
        return functional_call(child, params, (x,))

    def forward(self, x):
        for i, (child, meta) in enumerate(zip(self.children_, self.meta)):
            x = child(x) if meta is None else _Sharded.apply(x, self.shards[meta[0]], self, i)
        return x

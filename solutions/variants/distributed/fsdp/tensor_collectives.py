"""FSDP with the tensor forms of the collectives (all_gather_into_tensor, reduce_scatter_tensor),
F.pad for the padding, and backward through y.backward(grad_y) on the recomputed unit, reading
the gradient off the gathered flat vector's .grad."""

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call


def gather(shard):
    out = shard.new_empty(shard.numel() * dist.get_world_size())
    dist.all_gather_into_tensor(out, shard.detach().contiguous())
    return out


class UnitCall(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, shard, layer, names, shapes):
        ctx.layer, ctx.names, ctx.shapes = layer, names, shapes
        ctx.save_for_backward(x, shard)
        with torch.no_grad():
            return functional_call(layer, UnitCall.views(gather(shard), names, shapes), (x,))

    @staticmethod
    def views(flat, names, shapes):
        out, i = {}, 0
        for name, shape in zip(names, shapes):
            n = shape.numel()
            out[name] = flat[i:i + n].view(shape)
            i += n
        return out

    @staticmethod
    def backward(ctx, grad_y):
        x, shard = ctx.saved_tensors
        flat = gather(shard).requires_grad_()
        with torch.enable_grad():
            x_leaf = x.detach().requires_grad_(x.requires_grad)
            y = functional_call(ctx.layer, UnitCall.views(flat, ctx.names, ctx.shapes), (x_leaf,))
            y.backward(grad_y)
        grad = torch.zeros_like(shard)
        dist.reduce_scatter_tensor(grad, flat.grad)
        return x_leaf.grad, grad / dist.get_world_size(), None, None, None


class FSDP(nn.Module):
    def __init__(self, model):
        super().__init__()
        world, rank = dist.get_world_size(), dist.get_rank()
        self.plan = []  # (layer, index of its shard or None, names, shapes)
        self.flat_shards = nn.ParameterList()
        for layer in model.children():
            named = list(layer.named_parameters())
            if not named:
                self.plan.append((layer, None, None, None))
                continue
            flat = torch.cat([p.detach().flatten() for _, p in named])
            size = (flat.numel() + world - 1) // world
            flat = F.pad(flat, (0, size * world - flat.numel()))
            self.flat_shards.append(nn.Parameter(flat.view(world, size)[rank].clone()))
            self.plan.append((layer.to("meta"), len(self.flat_shards) - 1,
                              [n for n, _ in named], [p.shape for _, p in named]))

    def forward(self, x):
        for layer, index, names, shapes in self.plan:
            if index is None:
                x = layer(x)
            else:
                x = UnitCall.apply(x, self.flat_shards[index], layer, names, shapes)
        return x

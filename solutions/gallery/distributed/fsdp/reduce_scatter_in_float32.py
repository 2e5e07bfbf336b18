"""Backward upcasts a half-precision gradient to float32 "for accuracy" before the
reduce-scatter (and casts the shard's gradient back): a bfloat16 model's reduce-scatters send
twice the bytes the contract allows (W * S elements in the parameters' dtype), and its
averages differ in the last bits from a bfloat16 reduction.

Fix: reduce-scatter the gradient in the parameters' dtype, as autograd gives it.
"""

from __future__ import annotations

import torch
import torch.distributed as dist
from torch import nn
from torch.func import functional_call


class _Unit:
    """One layer: its structure (on the meta device) and where its parameters sit in its flat vector."""

    def __init__(self, layer: nn.Module, world_size: int):
        self.names = [name for name, _ in layer.named_parameters()]
        self.shapes = [p.shape for _, p in layer.named_parameters()]
        self.numel = sum(p.numel() for p in layer.parameters())
        self.shard_size = -(-self.numel // world_size)         # ceil: the flat vector is padded
        self.layer = layer.to("meta")                           # the full parameters are freed

    def params(self, flat: torch.Tensor) -> dict[str, torch.Tensor]:
        out, offset = {}, 0
        for name, shape in zip(self.names, self.shapes):
            n = shape.numel()
            out[name] = flat[offset:offset + n].view(shape)
            offset += n
        return out


def _all_gather(shard: torch.Tensor, world_size: int) -> torch.Tensor:
    full = shard.new_empty(world_size, shard.numel())
    dist.all_gather(list(full.unbind(0)), shard.contiguous())
    return full.view(-1)


class _ShardedCall(torch.autograd.Function):
    """y = layer(x) with the unit's parameters gathered for the call and freed after it;
    backward gathers them again, recomputes the layer and reduce-scatters its gradients."""

    @staticmethod
    def forward(ctx, x, shard, unit):
        world = dist.get_world_size()
        with torch.no_grad():
            y = functional_call(unit.layer, unit.params(_all_gather(shard, world)), (x,))
        ctx.unit = unit
        ctx.save_for_backward(x, shard)
        return y

    @staticmethod
    def backward(ctx, grad_y):
        x, shard = ctx.saved_tensors
        unit, world = ctx.unit, dist.get_world_size()
        full = _all_gather(shard.detach(), world).requires_grad_(True)
        with torch.enable_grad():
            x_in = x.detach().requires_grad_(ctx.needs_input_grad[0])
            y = functional_call(unit.layer, unit.params(full), (x_in,))
            inputs = (full, x_in) if ctx.needs_input_grad[0] else (full,)
            grads = torch.autograd.grad(y, inputs, grad_y)
        flat = grads[0].float() if grads[0].dtype in (torch.float16, torch.bfloat16) else grads[0]
        grad_shard = torch.empty(shard.shape, dtype=flat.dtype, device=shard.device)
        dist.reduce_scatter(grad_shard, list(flat.view(world, -1).unbind(0)))
        grad_shard /= world
        return (grads[1] if ctx.needs_input_grad[0] else None), grad_shard.to(shard.dtype), None


class FSDP(nn.Module):
    """Fully sharded data parallel over the children of an nn.Sequential, one unit per child."""

    def __init__(self, model: nn.Sequential) -> None:
        super().__init__()
        rank, world = dist.get_rank(), dist.get_world_size()
        self.units: list[_Unit] = []       # a plain list: the layers are not submodules
        self.shards = nn.ParameterList()
        self.shard_of: list[int | None] = []
        for layer in model.children():
            params = list(layer.parameters())
            if not params:
                self.units.append(layer)
                self.shard_of.append(None)
                continue
            flat = torch.cat([p.detach().reshape(-1) for p in params])
            unit = _Unit(layer, world)
            flat = torch.cat([flat, flat.new_zeros(unit.shard_size * world - unit.numel)])
            mine = flat[rank * unit.shard_size:(rank + 1) * unit.shard_size].clone()
            self.shard_of.append(len(self.shards))
            self.shards.append(nn.Parameter(mine))
            self.units.append(unit)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for unit, i in zip(self.units, self.shard_of):
            x = unit(x) if i is None else _ShardedCall.apply(x, self.shards[i], unit)
        return x

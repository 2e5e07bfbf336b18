"""FSDP with forward prefetching: the next unit's all-gather is launched asynchronously
(all_gather_into_tensor, async_op=True) while the current unit runs, and waited on when that
unit starts; backward gathers each unit again, blocking."""

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
    def forward(ctx, x, shard, unit, full):
        with torch.no_grad():
            y = functional_call(unit.layer, unit.params(full), (x,))
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
        grad_shard = torch.empty_like(shard)
        dist.reduce_scatter(grad_shard, list(grads[0].view(world, -1).unbind(0)))
        grad_shard /= world
        return (grads[1] if ctx.needs_input_grad[0] else None), grad_shard, None, None


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

    def _launch(self, i):
        shard = self.shards[i].detach()
        full = shard.new_empty(dist.get_world_size() * shard.numel())
        return full, dist.all_gather_into_tensor(full, shard, async_op=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        order = [i for i in self.shard_of if i is not None]
        pending = {order[0]: self._launch(order[0])} if order else {}
        for unit, i in zip(self.units, self.shard_of):
            if i is None:
                x = unit(x)
                continue
            full, handle = pending.pop(i)
            handle.wait()
            nxt = order.index(i) + 1
            if nxt < len(order):                        # prefetch the next unit while this one runs
                pending[order[nxt]] = self._launch(order[nxt])
            x = _ShardedCall.apply(x, self.shards[i], unit, full)
            del full
        return x

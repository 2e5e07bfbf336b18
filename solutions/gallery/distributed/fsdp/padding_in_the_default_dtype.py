"""The padding is torch.zeros(n), in the default dtype (float32), and torch.cat promotes the
flat vector to it: a bfloat16 (or float16) model gets float32 shards, twice the memory, and
its gathered parameters no longer match the layer's inputs.

Fix: flat.new_zeros(n): the flat vector's own dtype and device."""

import torch
import torch.distributed as dist
from torch import nn

import solutions.distributed.fsdp as ref
from solutions.distributed.fsdp import *  # noqa: F401,F403 (the rest is correct)
from solutions.distributed.fsdp import _Unit


class FSDP(ref.FSDP):
    def __init__(self, model):
        nn.Module.__init__(self)
        rank, world = dist.get_rank(), dist.get_world_size()
        self.units = []
        self.shards = nn.ParameterList()
        self.shard_of = []
        for layer in model.children():
            params = list(layer.parameters())
            if not params:
                self.units.append(layer)
                self.shard_of.append(None)
                continue
            flat = torch.cat([p.detach().reshape(-1) for p in params])
            unit = _Unit(layer, world)
            flat = torch.cat([flat, torch.zeros(unit.shard_size * world - unit.numel)])
            mine = flat[rank * unit.shard_size:(rank + 1) * unit.shard_size].clone()
            self.shard_of.append(len(self.shards))
            self.shards.append(nn.Parameter(mine))
            self.units.append(unit)

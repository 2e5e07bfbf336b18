"""Tensor parallelism with async all-reduces waited at once, slices by narrow(), matmul in place
of F.linear, and attention computing q, k, v in ONE fused matmul over the concatenated local
weights (the projections' forward methods are never called)."""

from __future__ import annotations

import math
from typing import Callable

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn


def _bounds(n, block):
    groups = n // block
    rank, world = dist.get_rank(), dist.get_world_size()
    sizes = [len(t) for t in torch.arange(groups).tensor_split(world)]
    start = sum(sizes[:rank])
    return start * block, (start + sizes[rank]) * block


class _AllReduceBackward(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        return x.clone()

    @staticmethod
    def backward(ctx, g):
        g = g.clone(memory_format=torch.contiguous_format)
        dist.all_reduce(g, async_op=True).wait()
        return g


class _AllReduceForward(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        out = torch.empty(x.shape, dtype=x.dtype, device=x.device)
        out.copy_(x)
        dist.all_reduce(out, op=dist.ReduceOp.SUM, async_op=True).wait()
        return out

    @staticmethod
    def backward(ctx, g):
        return g


class ColumnParallelLinear(nn.Module):
    def __init__(self, linear: nn.Linear, all_reduce_input_grad: bool = True, block: int = 1) -> None:
        super().__init__()
        a, b = _bounds(linear.out_features, block)
        self.all_reduce_input_grad = all_reduce_input_grad
        with torch.no_grad():
            self.weight = nn.Parameter(linear.weight.narrow(0, a, b - a).clone())
            self.bias = None if linear.bias is None else nn.Parameter(linear.bias.narrow(0, a, b - a).clone())

    def forward(self, x):
        if self.all_reduce_input_grad and torch.is_grad_enabled() and x.requires_grad:
            x = _AllReduceBackward.apply(x)
        y = x.matmul(self.weight.t())
        return y if self.bias is None else y + self.bias


class RowParallelLinear(nn.Module):
    def __init__(self, linear: nn.Linear, block: int = 1) -> None:
        super().__init__()
        a, b = _bounds(linear.in_features, block)
        with torch.no_grad():
            self.weight = nn.Parameter(linear.weight.narrow(1, a, b - a).clone())
            self.bias = None if linear.bias is None else nn.Parameter(linear.bias.clone())

    def forward(self, x_local):
        y = _AllReduceForward.apply(x_local.matmul(self.weight.t()))
        return y if self.bias is None else y + self.bias


class ParallelMLP(nn.Module):
    def __init__(self, fc1: nn.Linear, fc2: nn.Linear, activation: Callable = F.gelu) -> None:
        super().__init__()
        self.fc1 = ColumnParallelLinear(fc1)
        self.fc2 = RowParallelLinear(fc2)
        self.activation = activation

    def forward(self, x):
        return self.fc2(self.activation(self.fc1(x)))


class ParallelSelfAttention(nn.Module):
    def __init__(self, q_proj, k_proj, v_proj, o_proj, n_heads: int) -> None:
        super().__init__()
        self.hd = q_proj.out_features // n_heads
        self.q_proj = ColumnParallelLinear(q_proj, all_reduce_input_grad=False, block=self.hd)
        self.k_proj = ColumnParallelLinear(k_proj, all_reduce_input_grad=False, block=self.hd)
        self.v_proj = ColumnParallelLinear(v_proj, all_reduce_input_grad=False, block=self.hd)
        self.o_proj = RowParallelLinear(o_proj, block=self.hd)

    def forward(self, x):
        B, T, _ = x.shape
        if torch.is_grad_enabled() and x.requires_grad:
            x = _AllReduceBackward.apply(x)
        projs = (self.q_proj, self.k_proj, self.v_proj)
        w = torch.cat([p.weight for p in projs], 0)
        n = self.q_proj.weight.shape[0]
        qkv = x.matmul(w.t())
        if self.q_proj.bias is not None:
            qkv = qkv + torch.cat([p.bias for p in projs])
        q, k, v = qkv.split([n, n, n], dim=-1)
        h = n // self.hd
        q, k, v = (t.reshape(B, T, h, self.hd).permute(0, 2, 1, 3) for t in (q, k, v))
        s = torch.einsum("bhtd,bhsd->bhts", q, k) / math.sqrt(self.hd)
        future = torch.triu(torch.ones(T, T, dtype=torch.bool, device=x.device), 1)
        p = torch.where(future, torch.full_like(s, float("-inf")), s).softmax(-1)
        y = torch.einsum("bhts,bhsd->bthd", p, v).reshape(B, T, n)
        return self.o_proj(y)

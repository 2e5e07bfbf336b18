"""ColumnParallelLinear flattens x's batch dims with flatten(0, -2): an input with no batch dims (in_features,) fails."""

from __future__ import annotations

import math
from typing import Callable

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn


def _split(n: int, world_size: int, rank: int) -> tuple[int, int]:
    """Indices [start, stop) of n rows (or heads) that `rank` owns: torch.tensor_split's split."""
    base, extra = divmod(n, world_size)
    start = rank * base + min(rank, extra)
    return start, start + base + (1 if rank < extra else 0)


class _CopyToParallel(torch.autograd.Function):
    """Identity forward; backward all-reduces the gradient (Megatron's f)."""

    @staticmethod
    def forward(ctx, x):
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        grad = grad.contiguous().clone()
        dist.all_reduce(grad)
        return grad


class _ReduceFromParallel(torch.autograd.Function):
    """Forward all-reduces the partial sums; backward is the identity (Megatron's g)."""

    @staticmethod
    def forward(ctx, x):
        x = x.contiguous().clone()
        dist.all_reduce(x)
        return x

    @staticmethod
    def backward(ctx, grad):
        return grad


class ColumnParallelLinear(nn.Module):
    """This rank's slice of linear's output features: y_local = x @ W[a:b].T + b[a:b]."""

    def __init__(self, linear: nn.Linear, all_reduce_input_grad: bool = True, block: int = 1) -> None:
        super().__init__()
        rank, world = dist.get_rank(), dist.get_world_size()
        first, last = _split(linear.out_features // block, world, rank)
        self.start, self.stop = first * block, last * block
        self.all_reduce_input_grad = all_reduce_input_grad
        self.weight = nn.Parameter(linear.weight.detach()[self.start:self.stop].clone())
        self.bias = (nn.Parameter(linear.bias.detach()[self.start:self.stop].clone())
                     if linear.bias is not None else None)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.all_reduce_input_grad:
            x = _CopyToParallel.apply(x)
        lead = x.shape[:-1]
        return F.linear(x.flatten(0, -2), self.weight, self.bias).unflatten(0, lead)   # (N, in) rows


class RowParallelLinear(nn.Module):
    """This rank's slice of linear's input features; the partial outputs are all-reduced."""

    def __init__(self, linear: nn.Linear, block: int = 1) -> None:
        super().__init__()
        rank, world = dist.get_rank(), dist.get_world_size()
        first, last = _split(linear.in_features // block, world, rank)
        self.start, self.stop = first * block, last * block
        self.weight = nn.Parameter(linear.weight.detach()[:, self.start:self.stop].clone())
        self.bias = nn.Parameter(linear.bias.detach().clone()) if linear.bias is not None else None

    def forward(self, x_local: torch.Tensor) -> torch.Tensor:
        y = _ReduceFromParallel.apply(F.linear(x_local, self.weight))
        return y + self.bias if self.bias is not None else y   # the bias once, after the sum


class ParallelMLP(nn.Module):
    """fc2(activation(fc1(x))) with fc1 column-parallel and fc2 row-parallel."""

    def __init__(self, fc1: nn.Linear, fc2: nn.Linear, activation: Callable = F.gelu) -> None:
        super().__init__()
        self.fc1 = ColumnParallelLinear(fc1)
        self.fc2 = RowParallelLinear(fc2)
        self.activation = activation

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.activation(self.fc1(x)))


class ParallelSelfAttention(nn.Module):
    """Causal multi-head self-attention with this rank's heads: q, k, v column-parallel, o row-parallel."""

    def __init__(self, q_proj: nn.Linear, k_proj: nn.Linear, v_proj: nn.Linear, o_proj: nn.Linear,
                 n_heads: int) -> None:
        super().__init__()
        self.head_dim = hd = q_proj.out_features // n_heads
        # whole heads per rank; x's gradient is all-reduced once, in forward below
        self.q_proj = ColumnParallelLinear(q_proj, all_reduce_input_grad=False, block=hd)
        self.k_proj = ColumnParallelLinear(k_proj, all_reduce_input_grad=False, block=hd)
        self.v_proj = ColumnParallelLinear(v_proj, all_reduce_input_grad=False, block=hd)
        self.o_proj = RowParallelLinear(o_proj, block=hd)
        self.n_local_heads = (self.q_proj.stop - self.q_proj.start) // hd

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        B, T, _ = x.shape
        x = _CopyToParallel.apply(x)                      # one all-reduce of x's gradient
        q, k, v = (proj(x).view(B, T, self.n_local_heads, self.head_dim).transpose(1, 2)
                   for proj in (self.q_proj, self.k_proj, self.v_proj))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(self.head_dim)
        causal = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()
        att = att.masked_fill(~causal, float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, self.n_local_heads * self.head_dim)
        return self.o_proj(y)

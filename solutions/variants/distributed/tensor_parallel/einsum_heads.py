"""Tensor parallelism with one parametrised autograd.Function for both directions (all-reduce
in forward or in backward), the split computed with divmod, and attention heads kept as an
explicit (B, H, T, D) einsum."""

import math

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn


def _bounds(n, block):
    world, rank = dist.get_world_size(), dist.get_rank()
    groups, extra = divmod(n // block, world)
    starts = [r * groups + min(r, extra) for r in range(world + 1)]
    return starts[rank] * block, starts[rank + 1] * block


class _AllReduce(torch.autograd.Function):
    """direction "forward": sum the tensor over ranks, gradient passes; "backward": the reverse."""

    @staticmethod
    def forward(ctx, x, direction):
        ctx.direction = direction
        if direction == "forward":
            x = x.clone()
            dist.all_reduce(x, op=dist.ReduceOp.SUM)
            return x
        return x.clone()

    @staticmethod
    def backward(ctx, grad):
        if ctx.direction == "backward":
            grad = grad.clone()
            dist.all_reduce(grad, op=dist.ReduceOp.SUM)
        return grad, None


class ColumnParallelLinear(nn.Module):
    def __init__(self, linear, all_reduce_input_grad=True, block=1):
        super().__init__()
        lo, hi = _bounds(linear.out_features, block)
        self.reduce = all_reduce_input_grad
        self.weight = nn.Parameter(linear.weight.detach()[lo:hi].clone())
        self.register_parameter("bias", None if linear.bias is None else nn.Parameter(linear.bias.detach()[lo:hi].clone()))

    def forward(self, x):
        if self.reduce:
            x = _AllReduce.apply(x, "backward")
        return F.linear(x, self.weight, self.bias)


class RowParallelLinear(nn.Module):
    def __init__(self, linear, block=1):
        super().__init__()
        lo, hi = _bounds(linear.in_features, block)
        self.weight = nn.Parameter(linear.weight.detach()[:, lo:hi].clone())
        self.register_parameter("bias", None if linear.bias is None else nn.Parameter(linear.bias.detach().clone()))

    def forward(self, x_local):
        y = _AllReduce.apply(torch.einsum("...i,oi->...o", x_local, self.weight), "forward")
        if self.bias is not None:
            y = y + self.bias
        return y


class ParallelMLP(nn.Module):
    def __init__(self, fc1, fc2, activation=F.gelu):
        super().__init__()
        self.fc1 = ColumnParallelLinear(fc1)
        self.fc2 = RowParallelLinear(fc2)
        self.activation = activation

    def forward(self, x):
        h = self.fc1(x)
        return self.fc2(self.activation(h))


class ParallelSelfAttention(nn.Module):
    def __init__(self, q_proj, k_proj, v_proj, o_proj, n_heads):
        super().__init__()
        d = q_proj.out_features // n_heads
        self.d = d
        self.q_proj, self.k_proj, self.v_proj = (ColumnParallelLinear(p, all_reduce_input_grad=False, block=d)
                                                 for p in (q_proj, k_proj, v_proj))
        self.o_proj = RowParallelLinear(o_proj, block=d)

    def forward(self, x):
        B, T, _ = x.shape
        x = _AllReduce.apply(x, "backward")
        q, k, v = (p(x).reshape(B, T, -1, self.d).permute(0, 2, 1, 3) for p in (self.q_proj, self.k_proj, self.v_proj))
        scores = torch.einsum("bhtd,bhsd->bhts", q, k) / math.sqrt(self.d)
        future = torch.triu(torch.ones(T, T, dtype=torch.bool, device=x.device), diagonal=1)
        weights = scores.masked_fill(future, float("-inf")).softmax(dim=-1)
        y = torch.einsum("bhts,bhsd->bhtd", weights, v).permute(0, 2, 1, 3).reshape(B, T, -1)
        return self.o_proj(y)

"""Tensor parallelism with a tensor gradient hook in place of the identity/all-reduce
autograd.Function, slices found with torch.tensor_split, and attention through
F.scaled_dot_product_attention."""

import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch import nn


def _my_range(n, block):
    groups = torch.tensor_split(torch.arange(n // block), dist.get_world_size())[dist.get_rank()]
    if len(groups) == 0:
        start = sum(len(g) for g in torch.tensor_split(torch.arange(n // block), dist.get_world_size())[:dist.get_rank()])
        return start * block, start * block
    return int(groups[0]) * block, (int(groups[-1]) + 1) * block


def _sum_grad_over_ranks(x):
    """The identity, whose gradient is summed over the ranks."""
    if not x.requires_grad:
        return x
    y = x.view_as(x)

    def hook(grad):
        grad = grad.clone()
        dist.all_reduce(grad)
        return grad

    y.register_hook(hook)
    return y


class _SumOverRanks(torch.autograd.Function):
    @staticmethod
    def forward(ctx, partial):
        total = partial.clone()
        dist.all_reduce(total)
        return total

    @staticmethod
    def backward(ctx, grad):
        return grad


class ColumnParallelLinear(nn.Module):
    def __init__(self, linear, all_reduce_input_grad=True, block=1):
        super().__init__()
        a, b = _my_range(linear.out_features, block)
        self.all_reduce_input_grad = all_reduce_input_grad
        self.weight = nn.Parameter(linear.weight.detach()[a:b].clone())
        self.bias = None if linear.bias is None else nn.Parameter(linear.bias.detach()[a:b].clone())

    def forward(self, x):
        if self.all_reduce_input_grad:
            x = _sum_grad_over_ranks(x)
        out = x @ self.weight.T
        return out if self.bias is None else out + self.bias


class RowParallelLinear(nn.Module):
    def __init__(self, linear, block=1):
        super().__init__()
        a, b = _my_range(linear.in_features, block)
        self.weight = nn.Parameter(linear.weight.detach()[:, a:b].clone())
        self.bias = None if linear.bias is None else nn.Parameter(linear.bias.detach().clone())

    def forward(self, x_local):
        out = _SumOverRanks.apply(x_local @ self.weight.T)
        return out if self.bias is None else out + self.bias


class ParallelMLP(nn.Module):
    def __init__(self, fc1, fc2, activation=F.gelu):
        super().__init__()
        self.fc1, self.fc2, self.activation = ColumnParallelLinear(fc1), RowParallelLinear(fc2), activation

    def forward(self, x):
        return self.fc2(self.activation(self.fc1(x)))


class ParallelSelfAttention(nn.Module):
    def __init__(self, q_proj, k_proj, v_proj, o_proj, n_heads):
        super().__init__()
        self.head_dim = q_proj.out_features // n_heads
        self.q_proj = ColumnParallelLinear(q_proj, False, self.head_dim)
        self.k_proj = ColumnParallelLinear(k_proj, False, self.head_dim)
        self.v_proj = ColumnParallelLinear(v_proj, False, self.head_dim)
        self.o_proj = RowParallelLinear(o_proj, self.head_dim)

    def forward(self, x):
        B, T, _ = x.shape
        x = _sum_grad_over_ranks(x)
        q, k, v = (p(x).unflatten(-1, (-1, self.head_dim)).transpose(1, 2)
                   for p in (self.q_proj, self.k_proj, self.v_proj))
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        return self.o_proj(y.transpose(1, 2).flatten(2))

"""Day 43 — distributed/tensor_parallel: Megatron column- and row-parallel layers.

A layer too wide for one device is split across W ranks (Shoeybi et al., Megatron-LM, 2019).
Every rank sees the whole input. A column-parallel Linear keeps a slice of the OUTPUT
features (rows of the weight): each rank computes its own slice of the output, with no
communication. A row-parallel Linear keeps the matching slice of the INPUT features (columns
of the weight): each rank's product is a partial sum of the whole output, and one all-reduce
adds them. Pairing them (column, then row) splits an MLP, or attention by heads, with ONE
all-reduce in forward and ONE in backward per pair, and gives the unsplit layers' results.

The code runs inside an initialised process group: rank = dist.get_rank() and
W = dist.get_world_size() of the default group. Every rank passes the same input and the same
full nn.Linear layers (same values); each keeps only its slice (copies, the given layers are
not changed): a split layer's parameters are exactly weight and bias (bias absent when None),
the modules below hold exactly their sublayers' ones, and none keeps a buffer or the given
nn.Linear itself as a submodule.
Layers of any floating dtype (bfloat16 too) work in that dtype: outputs, x's gradient and
every all-reduced tensor keep it (no float32 upcast around the communication).

The split: n features in groups of `block` consecutive features (block = 1 for plain layers,
head_dim for attention, so that a rank owns whole heads); n / block groups are split like
torch.tensor_split: contiguous, in rank order, the first (n / block) % W ranks own one group
more. 10 features over 4 ranks: [0, 3), [3, 6), [6, 8), [8, 10). A rank may own nothing
(3 heads on 4 ranks): its slices are empty and it contributes zeros. [a, b) is this rank's
feature range below.

Write:
    ColumnParallelLinear(linear, all_reduce_input_grad=True, block=1) -> nn.Module
        weight: nn.Parameter, linear.weight[a:b] (b - a, in_features), with [a, b) the
            split of linear.out_features; bias: nn.Parameter linear.bias[a:b], or None when
            linear has no bias.
        forward(x (..., in_features)) -> x @ weight.T + bias, (..., b - a): this rank's
            slice of linear(x), for any number of batch dims (none too: x of shape
            (in_features,)) and any strides of x. No
            communication in forward. Backward (when x requires grad): the gradient of x
            from this rank covers only its output slice, so it is all-reduced (summed over
            the ranks: ONE all_reduce of x's size) before it flows on, when
            all_reduce_input_grad is True; when False it is left as it is (the caller
            reduces it once for several layers that share x). Only this layer's part of x's
            gradient is reduced, not what other uses of x (a residual x + ...) add to it.
            When x does not require grad (data), backward makes no communication. Weight and
            bias gradients are this rank's slices of the unsplit layer's gradients, with no
            communication.
    RowParallelLinear(linear, block=1) -> nn.Module
        weight: nn.Parameter, linear.weight[:, a:b] (out_features, b - a), with [a, b) the
            split of linear.in_features; bias: nn.Parameter, the WHOLE linear.bias
            (out_features,) on every rank, or None.
        forward(x_local (..., b - a)), any batch dims (none too), this rank's slice of the
            input features ->
            all_reduce(x_local @ weight.T) + bias, (..., out_features): the whole of
            linear(x) on every rank. ONE all_reduce (sum) of the output's size in forward;
            the bias is added once, after the sum (not on every rank before it). Backward:
            no communication (the output's gradient is the same on every rank); the bias
            gradient is the whole layer's, the weight gradient this rank's slice of it.
    ParallelMLP(fc1, fc2, activation=F.gelu) -> nn.Module, the MLP fc2(activation(fc1(x)))
        fc1 = ColumnParallelLinear(fc1), fc2 = RowParallelLinear(fc2) (attributes of those
        names); the hidden features are split, the activation runs on this rank's slice.
        forward(x (..., d), any strides) -> (..., d), equal to the unsplit MLP on every rank, and the
        gradients of x equal to the unsplit MLP's. Communication per forward + backward:
        exactly 2 all_reduce calls (one in forward, one in backward), each of x's size.
    ParallelSelfAttention(q_proj, k_proj, v_proj, o_proj, n_heads) -> nn.Module
        Causal multi-head self-attention, unsplit:
            q, k, v = q_proj(x), k_proj(x), v_proj(x)                 (B, T, C) each
            split into n_heads heads of head_dim = q_proj.out_features // n_heads
            y_h = softmax(q_h k_h^T / sqrt(head_dim), masked so t attends to t' <= t) v_h
            out = o_proj(concatenation of the heads' y_h)            (B, T, d)
        Split by heads: q_proj, k_proj, v_proj become ColumnParallelLinear(...,
        all_reduce_input_grad=False, block=head_dim) and o_proj RowParallelLinear(...,
        block=head_dim) (attributes of those names); rank r runs its own heads only.
        forward(x (B, T, d), any strides) -> (B, T, d), equal to the unsplit attention on every rank,
        gradients of x included. The gradient of x (shared by q, k and v) is all-reduced
        ONCE in backward, not once per projection: exactly 2 all_reduce calls per forward +
        backward, each of x's size. Under torch.no_grad(), forward makes one all_reduce.

Off limits: torch.distributed.tensor (DTensor, parallelize_module, ColwiseParallel,
RowwiseParallel) and torch.distributed.nn.functional.
Run: pytest katas/distributed/tensor_parallel.py
"""

from typing import Callable

import torch
import torch.nn.functional as F
from torch import nn


class ColumnParallelLinear(nn.Module):
    """This rank's slice of linear's output features: y_local = x @ W[a:b].T + b[a:b]."""

    def __init__(self, linear: nn.Linear, all_reduce_input_grad: bool = True, block: int = 1) -> None:
        """Copy rows [a, b) of linear's weight and bias."""
        super().__init__()
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """This rank's output slice; x's gradient is all-reduced in backward."""
        raise NotImplementedError


class RowParallelLinear(nn.Module):
    """This rank's slice of linear's input features; the partial outputs are all-reduced."""

    def __init__(self, linear: nn.Linear, block: int = 1) -> None:
        """Copy columns [a, b) of linear's weight and the whole bias."""
        super().__init__()
        raise NotImplementedError

    def forward(self, x_local: torch.Tensor) -> torch.Tensor:
        """all_reduce(x_local @ weight.T) + bias: the whole output on every rank."""
        raise NotImplementedError


class ParallelMLP(nn.Module):
    """fc2(activation(fc1(x))) with fc1 column-parallel and fc2 row-parallel."""

    def __init__(self, fc1: nn.Linear, fc2: nn.Linear, activation: Callable = F.gelu) -> None:
        """fc1 = ColumnParallelLinear(fc1), fc2 = RowParallelLinear(fc2)."""
        super().__init__()
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The unsplit MLP's output, with one all-reduce in forward and one in backward."""
        raise NotImplementedError


class ParallelSelfAttention(nn.Module):
    """Causal multi-head self-attention with this rank's heads: q, k, v column-parallel, o row-parallel."""

    def __init__(self, q_proj: nn.Linear, k_proj: nn.Linear, v_proj: nn.Linear, o_proj: nn.Linear,
                 n_heads: int) -> None:
        """Split the projections by whole heads."""
        super().__init__()
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The unsplit attention's output, with one all-reduce in forward and one in backward."""
        raise NotImplementedError

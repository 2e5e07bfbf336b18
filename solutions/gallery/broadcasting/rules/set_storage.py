"""A view built with Tensor.set_: torch.empty(0).set_(x.untyped_storage(), offset, shape,
strides) shares x's memory with the right strides, but the new tensor is not part of x's
autograd graph: broadcasting a parameter (a bias over the batch) then silently trains
nothing, because no gradient ever reaches x. The contract says the result is differentiable
like torch.broadcast_to's.

Fix: x.as_strided(shape, strides) is a differentiable view with the same memory."""

import torch

from solutions.broadcasting.rules import *  # noqa: F401,F403 (the rest is correct)


def broadcast_to(x: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    shape = tuple(shape)
    new = len(shape) - x.dim()
    if new < 0:
        raise ValueError(f"cannot broadcast shape {tuple(x.shape)} to fewer dims {shape}")
    strides = [0] * new
    for size, stride, target in zip(x.shape, x.stride(), shape[new:]):
        if size != target and size != 1:
            raise ValueError(f"cannot broadcast {tuple(x.shape)} to {shape}: {size} vs {target}")
        strides.append(stride if size == target else 0)
    out = torch.empty(0, dtype=x.dtype, device=x.device)
    return out.set_(x.untyped_storage(), x.storage_offset(), shape, strides)  # no grad_fn

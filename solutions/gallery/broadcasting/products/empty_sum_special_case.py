"""matmul that special-cases k = 0 ("an empty sum is zeros") with a fresh
torch.zeros(out_shape): the shape is right, but torch.zeros is float32 whatever the inputs'
dtype (float64 and float16 inputs get a float32 result), and the zeros are not attached to
a and b's graph, so a loss built on them cannot be backpropagated.

Fix: no special case: the broadcast multiply and the sum over a size-0 dim already give
zeros, of the inputs' dtype and with a graph."""

import torch

from solutions.broadcasting.products import *  # noqa: F401,F403 (the rest is correct)


def matmul(a, b):
    if a.dim() == 0 or b.dim() == 0:
        raise ValueError(f"matmul needs at least 1-D arguments, got shapes "
                         f"{tuple(a.shape)} and {tuple(b.shape)}")
    a2 = a.unsqueeze(0) if a.dim() == 1 else a
    b2 = b.unsqueeze(-1) if b.dim() == 1 else b
    if a2.shape[-1] != b2.shape[-2]:
        raise ValueError(f"matmul: contracted sizes differ, {a2.shape[-1]} vs {b2.shape[-2]}")
    if a2.shape[-1] == 0:  # an empty sum
        batch = torch.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
        out = torch.zeros(*batch, a2.shape[-2], b2.shape[-1])
    else:
        out = (a2.unsqueeze(-1) * b2.unsqueeze(-3)).sum(dim=-2)
    if a.dim() == 1:
        out = out.squeeze(-2)
    if b.dim() == 1:
        out = out.squeeze(-1)
    return out

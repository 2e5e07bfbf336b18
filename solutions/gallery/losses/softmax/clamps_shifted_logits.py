"""softmax that clamps the shifted logits at -80 "so exp never underflows":
(x - max).clamp(min=-80).exp(). Underflow to 0 is the right answer there, and a masked logit
(-inf: padding, a future token) now gets probability e^-80 instead of exactly 0, as does
every logit more than 80 below its slice's max. The values are within any float tolerance,
which is why it survives, but the contract says -inf entries get probability 0.

Fix: exp(x - x.amax(dim, keepdim=True)) with no clamp; exp(-inf) is exactly 0.
"""

import torch

from solutions.losses.softmax import *  # noqa: F401,F403 (the rest is correct)


def softmax(x, dim=-1):
    e = (x - x.amax(dim=dim, keepdim=True)).clamp(min=-80.0).exp()
    return e / e.sum(dim=dim, keepdim=True)


class Softmax(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, dim=-1):
        y = softmax(x, dim)
        ctx.save_for_backward(y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return y * (g - (g * y).sum(ctx.dim, keepdim=True)), None

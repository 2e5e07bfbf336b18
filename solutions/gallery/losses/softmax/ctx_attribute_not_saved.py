"""Softmax.forward that keeps y as a plain attribute (ctx.y = y) instead of
ctx.save_for_backward(y): the gradient is right, but y holds its grad_fn, which holds ctx,
which holds y: a reference cycle that keeps every activation alive until the garbage
collector runs, and autograd can no longer check that y was not modified in place before
backward.

Fix: ctx.save_for_backward(y) in forward, (y,) = ctx.saved_tensors in backward (non-tensor
values such as dim may stay attributes).
"""

import torch

from solutions.losses.softmax import *  # noqa: F401,F403 (the rest is correct)
from solutions.losses.softmax import softmax


class Softmax(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, dim=-1):
        y = softmax(x, dim)
        ctx.y, ctx.dim = y, dim
        return y

    @staticmethod
    def backward(ctx, grad_out):
        y = ctx.y
        return y * (grad_out - (grad_out * y).sum(dim=ctx.dim, keepdim=True)), None

"""unbroadcast that sums float16/bfloat16 gradients in float32 "for accuracy" and forgets to
cast back: the gradient of a half-precision input comes back float32, and the contract says
each gradient has its input's dtype.

Fix: sum in float32 if you like, then return .to(grad.dtype)."""

import torch

from solutions.autograd.rules import *  # noqa: F401,F403 (the rest is correct)
from solutions.autograd import rules as _ref


def unbroadcast(grad, shape):
    if grad.dtype in (torch.float16, torch.bfloat16):
        grad = grad.float()
    return _ref.unbroadcast(grad, shape)


class Add(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = a.shape, b.shape
        return a + b

    @staticmethod
    def backward(ctx, grad_out):
        shape_a, shape_b = ctx.shapes
        return unbroadcast(grad_out, shape_a), unbroadcast(grad_out, shape_b)

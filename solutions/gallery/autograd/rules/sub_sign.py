"""Wrong sign in Sub: a - b decreases when b grows, so d(a - b)/db = -1 and the gradient for b
is -grad_out (summed back to b's shape), not +grad_out."""

import torch

from solutions.autograd.rules import *  # noqa: F401,F403 (the rest is correct)
from solutions.autograd.rules import unbroadcast


class Sub(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = a.shape, b.shape
        return a - b

    @staticmethod
    def backward(ctx, grad_out):
        shape_a, shape_b = ctx.shapes
        return unbroadcast(grad_out, shape_a), unbroadcast(grad_out, shape_b)

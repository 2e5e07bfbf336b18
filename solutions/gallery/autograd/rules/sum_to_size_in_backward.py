"""Backward rules that sum a broadcast gradient back with the built-in grad.sum_to_size(shape)
instead of the kata's own unbroadcast: the numbers are right, but the one piece of the kata
that makes every rule work under broadcasting is skipped, and sum_to_size is off limits in
every backward, as in unbroadcast.

Fix: return unbroadcast(grad_out, a.shape), unbroadcast(grad_out, b.shape), with the
unbroadcast you wrote (leading dims summed away, stretched size-1 dims summed with
keepdim=True)."""

import torch

from solutions.autograd.rules import *  # noqa: F401,F403 (the rest is correct)


class Add(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.shapes = a.shape, b.shape
        return a + b

    @staticmethod
    def backward(ctx, grad_out):
        shape_a, shape_b = ctx.shapes
        return grad_out.sum_to_size(shape_a), grad_out.sum_to_size(shape_b)

"""Backward skips work with ctx.needs_input_grad, but checks index 0 for both inputs (a
copy-paste slip): when only b requires grad (a weight times a constant input), b's gradient
comes back None and b never learns.

Fix: gate the gradient of input i on ctx.needs_input_grad[i]."""

import torch

from solutions.autograd.rules import *  # noqa: F401,F403 (the rest is correct)
from solutions.autograd.rules import unbroadcast


class Mul(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad_out):
        a, b = ctx.saved_tensors
        grad_a = unbroadcast(grad_out * b, a.shape) if ctx.needs_input_grad[0] else None
        grad_b = unbroadcast(grad_out * a, b.shape) if ctx.needs_input_grad[0] else None
        return grad_a, grad_b

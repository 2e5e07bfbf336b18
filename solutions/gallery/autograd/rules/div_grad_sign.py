"""Wrong sign in Div's divisor gradient: a / b = a * b**-1, so d(a / b)/db = -a / b**2. Writing
a / b**2 makes a bigger divisor look like it increases the quotient."""

import torch

from solutions.autograd.rules import *  # noqa: F401,F403 (the rest is correct)
from solutions.autograd.rules import unbroadcast


class Div(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a / b

    @staticmethod
    def backward(ctx, grad_out):
        a, b = ctx.saved_tensors
        return unbroadcast(grad_out / b, a.shape), unbroadcast(grad_out * a / (b * b), b.shape)

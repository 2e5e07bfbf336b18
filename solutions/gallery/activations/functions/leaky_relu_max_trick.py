"""LeakyReLU as torch.maximum(x, negative_slope * x): the classic one-liner is right only for
0 <= negative_slope <= 1. With a slope above 1 it returns negative_slope * x for positive x
too (2 * 3 beats 3), though the contract allows any slope and picks by the sign of x.

Fix: torch.where(x > 0, x, negative_slope * x).
"""

import torch

from solutions.activations.functions import *  # noqa: F401,F403 (the rest is correct)


class LeakyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, negative_slope=0.01):
        ctx.save_for_backward(x)
        ctx.negative_slope = negative_slope
        return torch.maximum(x, x * negative_slope)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return torch.where(x > 0, grad_output, grad_output * ctx.negative_slope), None

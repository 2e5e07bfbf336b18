"""LeakyReLU whose backward uses x >= 0 for the identity branch: at exactly x = 0 the
gradient is 1 instead of negative_slope ("x where x > 0, else negative_slope * x", as in
F.leaky_relu).

Fix: torch.where(x > 0, grad_output, grad_output * negative_slope).
"""

import torch

from solutions.activations.functions import *  # noqa: F401,F403 (the rest is correct)


class LeakyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, negative_slope=0.01):
        ctx.save_for_backward(x)
        ctx.negative_slope = negative_slope
        return torch.where(x >= 0, x, x * negative_slope)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return torch.where(x >= 0, grad_output, grad_output * ctx.negative_slope), None

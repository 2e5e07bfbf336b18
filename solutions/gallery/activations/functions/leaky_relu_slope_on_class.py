"""LeakyReLU that keeps negative_slope on the class (LeakyReLU.slope = ...) instead of on ctx:
a second call with another slope before the first backward overwrites it, so the first
call's gradient uses the wrong slope (two layers with different slopes in one model).

Fix: store per-call state on ctx (ctx.negative_slope = negative_slope).
"""

import torch

from solutions.activations.functions import *  # noqa: F401,F403 (the rest is correct)


class LeakyReLU(torch.autograd.Function):
    slope = 0.01

    @staticmethod
    def forward(ctx, x, negative_slope=0.01):
        ctx.save_for_backward(x)
        LeakyReLU.slope = negative_slope
        return torch.where(x > 0, x, x * negative_slope)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return torch.where(x > 0, grad_output, grad_output * LeakyReLU.slope), None

"""LeakyReLU that reads its slope as `negative_slope or 0.01`: an explicit negative_slope=0.0
(LeakyReLU as a plain ReLU) is falsy and silently becomes 0.01.

Fix: use the argument as given; default it only in the signature.
"""

import torch

from solutions.activations.functions import *  # noqa: F401,F403 (the rest is correct)


class LeakyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, negative_slope=None):
        slope = negative_slope or 0.01
        ctx.save_for_backward(x)
        ctx.slope = slope
        return torch.where(x > 0, x, x * slope)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return torch.where(x > 0, grad_output, grad_output * ctx.slope), None

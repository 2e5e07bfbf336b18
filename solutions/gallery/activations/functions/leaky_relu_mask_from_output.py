"""LeakyReLU that saves its output y and takes the backward's mask from y > 0 (the ReLU habit
of saving the output): for a positive slope y > 0 exactly where x > 0, but for a negative
slope a negative x gives a positive y, and the gradient there becomes 1 instead of the slope.

Fix: save x and use x > 0 in backward (or y > 0 only where the slope is known to be >= 0).
"""

import torch

from solutions.activations.functions import *  # noqa: F401,F403 (the rest is correct)


class LeakyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, negative_slope=0.01):
        y = torch.where(x > 0, x, x * negative_slope)
        ctx.save_for_backward(y)
        ctx.negative_slope = negative_slope
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return torch.where(y > 0, grad_output, grad_output * ctx.negative_slope), None

"""LeakyReLU whose backward multiplies by torch.where(x > 0, 1.0, negative_slope): with two
Python scalars torch.where builds a float32 tensor (the default dtype), so negative_slope is
rounded to 7 digits and a float64 input's gradient is wrong in the 8th digit (0.01 becomes
0.0099999998). The contract asks for float64 precision when x is float64.

Fix: torch.where(x > 0, grad_output, grad_output * negative_slope), which stays in the
gradient's dtype.
"""

import torch

from solutions.activations.functions import *  # noqa: F401,F403 (the rest is correct)


class LeakyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, negative_slope=0.01):
        ctx.save_for_backward(x)
        ctx.negative_slope = negative_slope
        return torch.where(x > 0, x, x * negative_slope)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * torch.where(x > 0, 1.0, ctx.negative_slope), None

"""LeakyReLU with the slope hard-coded to 0.01: right for the default, wrong as soon as a
model asks for another negative_slope (0.2 is common in GANs). Fix: keep negative_slope on
ctx in forward and use it in both forward and backward (returning None as its gradient)."""

import torch

from solutions.activations.functions import *  # noqa: F401,F403 (the rest is correct)


class LeakyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor, negative_slope: float = 0.01) -> torch.Tensor:
        ctx.save_for_backward(x)
        return torch.where(x > 0, x, x * 0.01)  # the argument is ignored

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        (x,) = ctx.saved_tensors
        return torch.where(x > 0, grad_output, grad_output * 0.01), None

"""GELU with erf(x) instead of erf(x / sqrt(2)): the standard normal CDF is
Phi(x) = 0.5 * (1 + erf(x / sqrt(2))); erf(x) alone is the CDF of a normal with variance 1/2,
a steeper curve that misses F.gelu by up to about 0.1. Fix: divide by sqrt(2) inside erf,
and use the matching pdf exp(-x^2 / 2) / sqrt(2 pi) in the backward."""

import math

import torch

from solutions.activations.functions import *  # noqa: F401,F403 (the rest is correct)
from solutions.activations.functions import GELU as _Correct


class GELU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor, approximate: str = "none") -> torch.Tensor:
        if approximate == "tanh":
            return _Correct.forward(ctx, x, approximate)
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        return 0.5 * x * (1.0 + torch.erf(x))  # wrong: erf(x / sqrt(2))

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        if ctx.approximate == "tanh":
            return _Correct.backward(ctx, grad_output)
        (x,) = ctx.saved_tensors
        grad = 0.5 * (1.0 + torch.erf(x)) + x * torch.exp(-x * x) / math.sqrt(math.pi)
        return grad_output * grad, None

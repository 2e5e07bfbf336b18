"""Softplus as torch.where(beta * x > threshold, x, log1p(exp(beta * x)) / beta): the
threshold guards exp only while it is below about 88 (float32); at threshold=100,
Softplus(95.0) is inf and its gradient exp(z) / (1 + exp(z)) is inf/inf = NaN. Fix: compute
the soft branch as max(z, 0) + log1p(exp(-|z|)) with z = beta * x."""

import torch

from solutions.activations.functions import *  # noqa: F401,F403 (the rest is correct)


class Softplus(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor, beta: float = 1.0, threshold: float = 20.0) -> torch.Tensor:
        bx = x * beta
        ctx.save_for_backward(bx)
        ctx.threshold = threshold
        return torch.where(bx > threshold, x, torch.log1p(torch.exp(bx)) / beta)

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        (bx,) = ctx.saved_tensors
        e = torch.exp(bx)
        slope = torch.where(bx > ctx.threshold, torch.ones_like(bx), e / (1.0 + e))
        return grad_output * slope, None, None

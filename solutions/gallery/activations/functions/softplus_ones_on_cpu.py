"""Softplus whose backward takes the slope 1 above the threshold from torch.ones(bx.shape): a
float32 CPU tensor. The values even survive float64 (1 is exact and torch.where promotes),
but for x on a GPU the backward raises a device mismatch.

Fix: torch.ones_like(bx), or torch.where(bx > threshold, 1.0, sigmoid(bx)) with a Python
scalar.
"""

import torch

from solutions.activations.functions import *  # noqa: F401,F403 (the rest is correct)
from solutions.activations.functions import _sigmoid


class Softplus(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, beta=1.0, threshold=20.0):
        bx = x * beta
        ctx.save_for_backward(bx)
        ctx.threshold = threshold
        soft = (bx.clamp(min=0) + torch.log1p(torch.exp(-bx.abs()))) / beta
        return torch.where(bx > threshold, x, soft)

    @staticmethod
    def backward(ctx, grad_output):
        (bx,) = ctx.saved_tensors
        slope = torch.where(bx > ctx.threshold, torch.ones(bx.shape), _sigmoid(bx))
        return grad_output * slope, None, None

"""Pow treating the exponent as a constant: the power rule b * a**(b - 1) is only the base's
gradient. With a tensor exponent, a**b = exp(b * log a) also changes with b:
d(a**b)/db = a**b * log(a). Returning zeros (or None) for b drops that gradient."""

import torch

from solutions.autograd.rules import *  # noqa: F401,F403 (the rest is correct)
from solutions.autograd.rules import unbroadcast


class Pow(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a ** b

    @staticmethod
    def backward(ctx, grad_out):
        a, b = ctx.saved_tensors
        return unbroadcast(grad_out * b * a ** (b - 1), a.shape), torch.zeros_like(b)

"""Mul's backward recovers each factor from the saved output: d(a*b)/da = b = out / a. That is
0 / 0 = NaN wherever a is exactly 0, and exact zeros are common (relu outputs, masks, padding).

Fix: save both inputs (ctx.save_for_backward(a, b)) and use grad_out * b and grad_out * a."""

import torch

from solutions.autograd.rules import *  # noqa: F401,F403 (the rest is correct)
from solutions.autograd.rules import unbroadcast


class Mul(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        out = a * b
        ctx.save_for_backward(a, b, out)
        return out

    @staticmethod
    def backward(ctx, grad_out):
        a, b, out = ctx.saved_tensors
        return unbroadcast(grad_out * out / a, a.shape), unbroadcast(grad_out * out / b, b.shape)

"""Calling autograd inside backward: recomputing a * b on fresh leaves and asking
torch.autograd.grad for the gradient gives the right numbers but skips the kata, which is
writing the derivative. d(a * b)/da = b, d(a * b)/db = a, times grad_out, unbroadcast."""

import torch

from solutions.autograd.rules import *  # noqa: F401,F403 (the rest is correct)


class Mul(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        return a * b

    @staticmethod
    def backward(ctx, grad_out):
        a, b = ctx.saved_tensors
        with torch.enable_grad():
            a, b = a.detach().requires_grad_(), b.detach().requires_grad_()
            return torch.autograd.grad(a * b, (a, b), grad_out)

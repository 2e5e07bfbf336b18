"""Softmax.backward that re-runs the forward under torch.enable_grad() and asks autograd for
the vector-Jacobian product (torch.autograd.grad): the gradient is right, but the backward is
the kata, and this one is autograd's, built by recording a second graph on every backward
pass.

Fix: from the saved y, grad_x = y * (grad_out - (grad_out * y).sum(dim, keepdim=True)).
"""

import torch

from solutions.losses.softmax import *  # noqa: F401,F403 (the rest is correct)
from solutions.losses.softmax import softmax


class Softmax(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, dim=-1):
        ctx.save_for_backward(x)
        ctx.dim = dim
        return softmax(x, dim)

    @staticmethod
    def backward(ctx, grad_out):
        (x,) = ctx.saved_tensors
        with torch.enable_grad():
            leaf = x.detach().requires_grad_()
            (grad,) = torch.autograd.grad(softmax(leaf, ctx.dim), leaf, grad_out)
        return grad, None

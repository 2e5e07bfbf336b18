"""ReLU whose backward passes the gradient where x >= 0: at exactly x = 0 (common after a
previous ReLU, padding or zero-initialised activations) the gradient is 1 instead of the
contract's (and F.relu's) 0.

Fix: the mask is x > 0, strictly.
"""

import torch

from solutions.activations.functions import *  # noqa: F401,F403 (the rest is correct)


class ReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x.clamp(min=0)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * (x >= 0)

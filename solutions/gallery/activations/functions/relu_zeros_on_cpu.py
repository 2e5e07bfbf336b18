"""ReLU whose forward picks from torch.zeros(x.shape, dtype=x.dtype): the zeros are made on
the default device (the CPU), so for x on a GPU torch.where raises a device mismatch. The
values on the CPU are right, which is why it survives until the model moves to a GPU.

Fix: torch.zeros_like(x) (same shape, dtype and device), or x.clamp(min=0).
"""

import torch

from solutions.activations.functions import *  # noqa: F401,F403 (the rest is correct)


class ReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.where(x > 0, x, torch.zeros(x.shape, dtype=x.dtype))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * (x > 0)

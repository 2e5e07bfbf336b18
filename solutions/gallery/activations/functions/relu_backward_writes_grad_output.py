"""ReLU whose backward zeroes grad_output in place (grad_output[x <= 0] = 0; return it).
grad_output is often shared with other branches of the graph (y = 3 * x + relu(x) hands the
same tensor to both), so the other branch's gradient is corrupted, and a caller's grad_outputs
tensor is changed.

Fix: return a new tensor: grad_output * (x > 0).
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
        grad_output[x <= 0] = 0
        return grad_output

"""ReLU that calls the built-in it is meant to replace: torch.relu in the forward gives the
right numbers, but the kata is to write the activation (here a comparison and a where, or
clamp) and its backward yourself. Fix: torch.where(x > 0, x, 0) or x.clamp(min=0)."""

import torch

from solutions.activations.functions import *  # noqa: F401,F403 (the rest is correct)


class ReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x)
        return torch.relu(x)  # the built-in

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        (x,) = ctx.saved_tensors
        return grad_output * (x > 0)

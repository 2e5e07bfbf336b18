"""Sigmoid whose backward overflows: writing sigma'(x) as exp(-x) / (1 + exp(-x))^2 is
correct on paper, but at x = -1e4 exp(-x) = exp(1e4) is inf in any float dtype and inf / inf
is NaN, so one very negative logit poisons every gradient upstream with NaN. (The forward
1 / (1 + exp(-x)) survives only by luck: 1 / inf = 0.) Fix: express the derivative through
the forward's output, sigma * (1 - sigma), and compute the forward from exp(-|x|)."""

import torch

from solutions.activations.functions import *  # noqa: F401,F403 (the rest is correct)


class Sigmoid(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x)
        return 1.0 / (1.0 + torch.exp(-x))

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        (x,) = ctx.saved_tensors
        e = torch.exp(-x)  # inf at x = -1e4
        return grad_output * e / (1.0 + e) ** 2

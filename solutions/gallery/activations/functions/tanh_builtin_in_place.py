"""The built-in through its in-place form: x.clone().tanh_() is torch.tanh under another name
(and another Python object), so a ban on torch.tanh alone would miss it. The forward is
exact because torch computed it; the kata asks for tanh written from exp.

Fix: t = exp(-2|x|); tanh(x) = sign(x) * (1 - t) / (1 + t)."""

import torch

from solutions.activations.functions import *  # noqa: F401,F403 (the rest is correct)


class Tanh(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        y = x.clone().tanh_()
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        (y,) = ctx.saved_tensors
        return grad_output * (1.0 - y * y)

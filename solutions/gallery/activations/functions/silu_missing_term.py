"""SiLU derivative missing the x * sigma'(x) term: silu(x) = x * sigma(x) is a product, so
its derivative is sigma(x) + x * sigma(x) * (1 - sigma(x)). Returning sigma(x) alone treats
x as a constant factor; the gradient is wrong everywhere except at x = 0 (by up to about
0.1 near x = 2.4 and -2.4), which gradcheck spots at once. Fix: add x * s * (1 - s)."""

import torch

from solutions.activations.functions import *  # noqa: F401,F403 (the rest is correct)
from solutions.activations.functions import _sigmoid


class SiLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x)
        return x * _sigmoid(x)

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        (x,) = ctx.saved_tensors
        return grad_output * _sigmoid(x)  # wrong: missing + x * s * (1 - s)

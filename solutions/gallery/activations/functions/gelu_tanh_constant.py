"""GELU's tanh approximation with the wrong constant: it is
0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3))), with sqrt(2 / pi) = 0.7979.
Writing sqrt(pi / 2) = 1.2533 (or 2 / pi, or dropping the square root) still gives a smooth
S-shaped curve that looks right on a plot, but differs from F.gelu(approximate="tanh") by
up to about 0.02, which changes every activation of a GPT-2 style MLP. Fix: sqrt(2 / pi)."""

import math

import torch

from solutions.activations.functions import *  # noqa: F401,F403 (the rest is correct)
from solutions.activations.functions import GELU as _Correct

_WRONG = math.sqrt(math.pi / 2)  # should be sqrt(2 / pi)


class GELU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x: torch.Tensor, approximate: str = "none") -> torch.Tensor:
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        if approximate == "tanh":
            return 0.5 * x * (1.0 + torch.tanh(_WRONG * (x + 0.044715 * x**3)))
        return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))

    @staticmethod
    def backward(ctx, grad_output: torch.Tensor):
        (x,) = ctx.saved_tensors
        if ctx.approximate == "tanh":
            t = torch.tanh(_WRONG * (x + 0.044715 * x**3))
            grad = 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * _WRONG * (1.0 + 3 * 0.044715 * x * x)
            return grad_output * grad, None
        return _Correct.backward(ctx, grad_output)

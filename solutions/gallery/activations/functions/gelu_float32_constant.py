"""GELU with its constants built as torch.tensor(math.sqrt(2 / math.pi)) without a dtype: the
constants are float32 (7 digits), so a float64 input gets float64 output that is wrong in the
8th digit; the contract asks for float64 precision when x is float64.

Fix: keep the constants as Python floats (math.sqrt(...)) or build them with dtype=x.dtype.
"""

import math

import torch

from solutions.activations.functions import *  # noqa: F401,F403 (the rest is correct)

_C = torch.tensor(math.sqrt(2.0 / math.pi))
_K = torch.tensor(0.044715)
_R2 = torch.tensor(math.sqrt(2.0))
_P = torch.tensor(1.0 / math.sqrt(2.0 * math.pi))


class GELU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, approximate="none"):
        if approximate not in ("none", "tanh"):
            raise ValueError(f"approximate must be 'none' or 'tanh', not {approximate!r}")
        ctx.save_for_backward(x)
        ctx.approximate = approximate
        if approximate == "tanh":
            return 0.5 * x * (1.0 + torch.tanh(_C * (x + _K * x**3)))
        return 0.5 * x * (1.0 + torch.erf(x / _R2))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        if ctx.approximate == "tanh":
            t = torch.tanh(_C * (x + _K * x**3))
            grad = 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * _C * (1.0 + 3 * _K * x * x)
        else:
            grad = 0.5 * (1.0 + torch.erf(x / _R2)) + x * _P * torch.exp(-0.5 * x * x)
        return grad_output * grad, None

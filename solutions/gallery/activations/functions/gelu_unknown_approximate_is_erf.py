"""GELU that treats every approximate other than "tanh" as the erf form: a typo such as
"Tanh" or "tanh " silently gives the exact GELU instead of an error, so a model configured
for the tanh approximation quietly computes something else.

Fix: accept exactly "none" and "tanh"; raise ValueError naming any other value.
"""

import torch

from solutions.activations.functions import *  # noqa: F401,F403 (the rest is correct)
from solutions.activations.functions import GELU as _Correct


class GELU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, approximate="none"):
        return _Correct.forward(ctx, x, "tanh" if approximate == "tanh" else "none")

    @staticmethod
    def backward(ctx, grad_output):
        return _Correct.backward(ctx, grad_output)

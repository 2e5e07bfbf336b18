"""Softplus that reads `threshold = threshold or 20.0`: an explicit threshold=0.0 (linear for
every positive x) is falsy and silently becomes 20.

Fix: use the arguments as given; defaults belong in the signature only.
"""

import torch

from solutions.activations.functions import *  # noqa: F401,F403 (the rest is correct)
from solutions.activations.functions import Softplus as _Correct


class Softplus(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, beta=None, threshold=None):
        return _Correct.forward(ctx, x, beta or 1.0, threshold or 20.0)

    @staticmethod
    def backward(ctx, grad_output):
        return _Correct.backward(ctx, grad_output)

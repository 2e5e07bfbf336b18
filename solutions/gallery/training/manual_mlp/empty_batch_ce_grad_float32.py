"""cross_entropy_grad with an empty-batch shortcut that returns torch.zeros(0, C): no dtype= and
no device=, so float64 (or half) logits get a float32 gradient, on the CPU. Use
torch.zeros_like(logits) (or no shortcut: the formula already gives an empty result)."""

import torch

from solutions.training.manual_mlp import *  # noqa: F401,F403 (the rest is correct)
from solutions.training.manual_mlp import cross_entropy_grad as _cross_entropy_grad


def cross_entropy_grad(logits, y):
    n, c = logits.shape
    if n == 0:
        return torch.zeros(0, c)
    return _cross_entropy_grad(logits, y)

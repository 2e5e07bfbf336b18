"""Forgetting to sum gradients back to a broadcast input's shape: when a (3, 1) tensor is added
to a (4,) tensor, the output and grad_out are (3, 4), and returning grad_out as the gradient of
both inputs gives each a (3, 4) gradient. Broadcasting used every element of a 4 times (and of
b 3 times), so their gradients are sums: unbroadcast(grad_out, a.shape) and
unbroadcast(grad_out, b.shape). (torch's engine happens to sum such a gradient for you; a
hand-written engine, or a gradient used directly, will not.)"""

import torch

from solutions.autograd.rules import *  # noqa: F401,F403 (the rest is correct)


class Add(torch.autograd.Function):
    @staticmethod
    def forward(ctx, a, b):
        return a + b

    @staticmethod
    def backward(ctx, grad_out):
        return grad_out, grad_out

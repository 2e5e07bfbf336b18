"""Closed forms through torch.logaddexp / torch.special.ndtr, tanh from sigmoid, swiglu by einsum."""

import math

import torch
from torch import nn


def _sig(x):
    return torch.exp(-torch.logaddexp(torch.zeros_like(x), -x))


class ReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        pos = x > 0
        ctx.save_for_backward(pos)
        return x.masked_fill(~pos, 0.0)  # not x * pos: -inf * 0 is NaN, relu(-inf) is 0

    @staticmethod
    def backward(ctx, g):
        (pos,) = ctx.saved_tensors
        return g * pos


class LeakyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, negative_slope=0.01):
        pos = x > 0
        ctx.save_for_backward(pos)
        ctx.a = negative_slope
        return torch.where(pos, x, negative_slope * x)

    @staticmethod
    def backward(ctx, g):
        (pos,) = ctx.saved_tensors
        return torch.where(pos, g, ctx.a * g), None


class Sigmoid(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        y = _sig(x)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (y - y * y)


class Tanh(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        # tanh(x) = 2 sigmoid(2x) - 1, written as (sigma(2|x|) - sigma(-2|x|)) to keep the sign
        a = 2.0 * x.abs()
        y = torch.sign(x) * (_sig(a) - _sig(-a))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, g):
        (y,) = ctx.saved_tensors
        return g * (1 - y.square())


class SiLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * _sig(x)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        s = _sig(x)
        return g * (s + x * s * (1 - s))


class GELU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, approximate="none"):
        if approximate not in ("none", "tanh"):
            raise ValueError(f"unknown approximate {approximate!r}")
        ctx.save_for_backward(x)
        ctx.mode = approximate
        if approximate == "none":
            return x * torch.special.ndtr(x)
        c = math.sqrt(2 / math.pi)
        return x * _sig(2 * c * (x + 0.044715 * x.pow(3)))  # 0.5(1 + tanh(u)) = sigmoid(2u)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        if ctx.mode == "none":
            d = torch.special.ndtr(x) + x * torch.exp(-x * x / 2) / math.sqrt(2 * math.pi)
        else:
            c = math.sqrt(2 / math.pi)
            s = _sig(2 * c * (x + 0.044715 * x.pow(3)))
            d = s + x * 2 * s * (1 - s) * c * (1 + 3 * 0.044715 * x * x)
        return g * d, None


class Softplus(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, beta=1.0, threshold=20.0):
        z = beta * x
        lin = z > threshold
        ctx.save_for_backward(z, lin)
        return torch.where(lin, x, torch.logaddexp(torch.zeros_like(z), z) / beta)

    @staticmethod
    def backward(ctx, g):
        z, lin = ctx.saved_tensors
        return torch.where(lin, g, g * _sig(z)), None, None


def swiglu(x, w_gate, w_up):
    gate = torch.einsum("...d,dh->...h", x, w_gate)
    up = torch.einsum("...d,dh->...h", x, w_up)
    return SiLU.apply(gate) * up


class SwiGLU(nn.Module):
    def __init__(self, d_model, d_hidden):
        super().__init__()
        self.w_gate = nn.Parameter(torch.randn(d_model, d_hidden) / math.sqrt(d_model))
        self.w_up = nn.Parameter(torch.randn(d_model, d_hidden) / math.sqrt(d_model))
        self.w_down = nn.Parameter(torch.randn(d_hidden, d_model) / math.sqrt(d_hidden))

    def forward(self, x):
        return torch.einsum("...h,hd->...d", swiglu(x, self.w_gate, self.w_up), self.w_down)

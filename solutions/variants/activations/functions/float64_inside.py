"""Every activation computed in float64 internally and cast back to x's dtype; swiglu via F.silu and matmul."""

import math

import torch
import torch.nn.functional as F
from torch import nn


def _to64(x):
    return x.to(torch.float64)


def _stable_sigmoid(z):
    e = torch.exp(-z.abs())
    return torch.where(z >= 0, 1 / (1 + e), e / (1 + e))


class ReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return torch.clamp(_to64(x), min=0.0).to(x.dtype)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        return torch.where(x > 0, g, torch.zeros_like(g))


class LeakyReLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, negative_slope=0.01):
        ctx.save_for_backward(x)
        ctx.slope = negative_slope
        x64 = _to64(x)
        return torch.where(x64 > 0, x64, x64 * negative_slope).to(x.dtype)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        g64 = _to64(g)
        return torch.where(x > 0, g64, g64 * ctx.slope).to(g.dtype), None


class Sigmoid(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return _stable_sigmoid(_to64(x)).to(x.dtype)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        s = _stable_sigmoid(_to64(x))
        return (_to64(g) * s * (1 - s)).to(g.dtype)


class Tanh(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        a = _to64(x)
        e = torch.exp(-2 * a.abs())
        return (torch.sign(a) * (1 - e) / (1 + e)).to(x.dtype)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        a = _to64(x)
        e = torch.exp(-2 * a.abs())
        return (_to64(g) * 4 * e / (1 + e) ** 2).to(g.dtype)  # sech^2 with a bounded e


class SiLU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        a = _to64(x)
        return (a * _stable_sigmoid(a)).to(x.dtype)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        a = _to64(x)
        s = _stable_sigmoid(a)
        return (_to64(g) * (s + a * s * (1 - s))).to(g.dtype)


class GELU(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, approximate="none"):
        if approximate != "none" and approximate != "tanh":
            raise ValueError(f"approximate must be 'none' or 'tanh', got {approximate!r}")
        ctx.save_for_backward(x)
        ctx.tanh = approximate == "tanh"
        a = _to64(x)
        if ctx.tanh:
            out = 0.5 * a * (1 + torch.tanh(math.sqrt(2 / math.pi) * (a + 0.044715 * a ** 3)))
        else:
            out = a * 0.5 * torch.erfc(-a / math.sqrt(2))
        return out.to(x.dtype)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        a = _to64(x)
        if ctx.tanh:
            k = math.sqrt(2 / math.pi)
            t = torch.tanh(k * (a + 0.044715 * a ** 3))
            d = 0.5 * (1 + t) + 0.5 * a * (1 - t * t) * k * (1 + 0.134145 * a * a)
        else:
            d = 0.5 * torch.erfc(-a / math.sqrt(2)) + a * torch.exp(-a * a / 2) / math.sqrt(2 * math.pi)
        return (_to64(g) * d).to(g.dtype), None


class Softplus(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, beta=1.0, threshold=20.0):
        ctx.save_for_backward(x)
        ctx.beta, ctx.threshold = beta, threshold
        z = _to64(x) * beta
        soft = (torch.relu(z) + torch.log1p(torch.exp(-z.abs()))) / beta
        return torch.where(z > threshold, _to64(x), soft).to(x.dtype)

    @staticmethod
    def backward(ctx, g):
        (x,) = ctx.saved_tensors
        z = _to64(x) * ctx.beta
        d = torch.where(z > ctx.threshold, torch.ones_like(z), _stable_sigmoid(z))
        return (_to64(g) * d).to(g.dtype), None, None


def swiglu(x, w_gate, w_up):
    return F.silu(torch.matmul(x, w_gate)) * torch.matmul(x, w_up)


class SwiGLU(nn.Module):
    def __init__(self, d_model, d_hidden):
        super().__init__()
        self.w_gate = nn.Parameter(torch.empty(d_model, d_hidden))
        self.w_up = nn.Parameter(torch.empty(d_model, d_hidden))
        self.w_down = nn.Parameter(torch.empty(d_hidden, d_model))
        for w in (self.w_gate, self.w_up, self.w_down):
            nn.init.uniform_(w, -1 / math.sqrt(w.shape[0]), 1 / math.sqrt(w.shape[0]))

    def forward(self, x):
        return torch.matmul(swiglu(x, self.w_gate, self.w_up), self.w_down)

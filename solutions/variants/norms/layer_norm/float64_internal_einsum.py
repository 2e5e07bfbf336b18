"""Correct variant: statistics and backward sums computed in float64 with einsum reductions and cast back to x's dtype; the module flattens through the Function with sizes spelled out."""

import math

import torch
import torch.nn as nn


class LayerNormFunction(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, weight, bias, eps):
        x64 = x.to(torch.float64)
        d = x.shape[-1]
        mean = torch.einsum("...d->...", x64)[..., None] / d
        centred = x64 - mean
        rstd = (torch.einsum("...d,...d->...", centred, centred)[..., None] / d + eps) ** -0.5
        x_hat = centred * rstd
        ctx.save_for_backward(x_hat, rstd, weight)
        ctx.flags = (weight is not None, bias is not None, x.dtype)
        y = x_hat
        if weight is not None:
            y = y * weight.to(torch.float64)
        if bias is not None:
            y = y + bias.to(torch.float64)
        return y.to(x.dtype)

    @staticmethod
    def backward(ctx, grad_y):
        x_hat, rstd, weight = ctx.saved_tensors
        has_w, has_b, dtype = ctx.flags
        gy = grad_y.to(torch.float64)
        g = gy * weight.to(torch.float64) if has_w else gy
        grad_x = rstd * (g - g.mean(-1, keepdim=True) - x_hat * (g * x_hat).mean(-1, keepdim=True))
        d = x_hat.shape[-1]
        gw = torch.einsum("nd,nd->d", gy.reshape(-1, d), x_hat.reshape(-1, d)).to(dtype) if has_w else None
        gb = torch.einsum("nd->d", gy.reshape(-1, d)).to(dtype) if has_b else None
        return grad_x.to(dtype), gw, gb, None


class LayerNorm(nn.Module):
    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True):
        super().__init__()
        self.normalized_shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(self.normalized_shape)) if elementwise_affine else None
        self.bias = nn.Parameter(torch.zeros(self.normalized_shape)) if elementwise_affine and bias else None

    def forward(self, x):
        k = len(self.normalized_shape)
        d = math.prod(self.normalized_shape)
        lead = x.shape[: x.dim() - k]
        w = None if self.weight is None else self.weight.reshape(d)
        b = None if self.bias is None else self.bias.reshape(d)
        return LayerNormFunction.apply(x.reshape(*lead, d), w, b, self.eps).reshape(x.shape)

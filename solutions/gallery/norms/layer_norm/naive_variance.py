"""Variance as E[x^2] - E[x]^2: one pass, but catastrophic cancellation. For a sample with
mean 1000 and spread 1, x^2 is ~1e6 and float32 keeps ~7 digits, so the difference of the two
means has lost every digit of the true variance ~1 (it may even come out negative). Real
activations drift to large means, and nn.LayerNorm is accurate there.

Fix: var = ((x - mean) ** 2).mean(-1) (or torch.var(..., correction=0))."""

import torch

from solutions.norms.layer_norm import *  # noqa: F401,F403 (the rest is correct)
from solutions.norms.layer_norm import LayerNormFunction as _Ref


class LayerNormFunction(_Ref):
    @staticmethod
    def forward(ctx, x, weight, bias, eps):
        mean = x.mean(dim=-1, keepdim=True)
        var = (x * x).mean(dim=-1, keepdim=True) - mean * mean
        rstd = torch.rsqrt(var.clamp_min(0) + eps)
        x_hat = (x - mean) * rstd
        ctx.save_for_backward(x_hat, rstd, weight)
        ctx.has_bias = bias is not None
        y = x_hat if weight is None else x_hat * weight
        return y if bias is None else y + bias

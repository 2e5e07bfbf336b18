"""Unbiased variance: torch.var(x, dim) divides by D - 1 by default (Bessel's correction).
Layer normalisation uses the plain (biased) variance of the D values, dividing by D, exactly
like nn.LayerNorm; with D = 2 the outputs come out at +-0.707 instead of +-1. Fix:
x.var(dim=-1, correction=0) (or unbiased=False), or ((x - mean) ** 2).mean(-1)."""

import torch

from solutions.norms.layer_norm import LayerNormFunction as _Correct
from solutions.norms.layer_norm import *  # noqa: F401,F403 (the rest is correct)


class LayerNormFunction(_Correct):
    @staticmethod
    def forward(ctx, x, weight, bias, eps):
        mean = x.mean(dim=-1, keepdim=True)
        rstd = torch.rsqrt(x.var(dim=-1, keepdim=True) + eps)  # divides by D - 1
        x_hat = (x - mean) * rstd
        ctx.save_for_backward(x_hat, rstd, weight)
        ctx.has_bias = bias is not None
        y = x_hat * weight if weight is not None else x_hat
        return y + bias if bias is not None else y

"""Backward with a default eps: the forward saves x, mean and var and the backward rebuilds
rstd = rsqrt(var + 1e-5), as if eps were always the default. With any other eps (0.1, 0.0)
the gradients belong to a different function; at a small variance (~1e-6) they are off by
a factor of several.

Fix: save rstd itself (or ctx.eps = eps) in forward and use exactly that in backward."""

import torch

from solutions.norms.layer_norm import *  # noqa: F401,F403 (the rest is correct)
from solutions.norms.layer_norm import LayerNormFunction as _Ref


class LayerNormFunction(_Ref):
    @staticmethod
    def forward(ctx, x, weight, bias, eps):
        mean = x.mean(-1, keepdim=True)
        var = x.var(-1, keepdim=True, correction=0)
        ctx.save_for_backward(x, mean, var, weight)
        ctx.has_bias = bias is not None
        y = (x - mean) * torch.rsqrt(var + eps)
        if weight is not None:
            y = y * weight
        return y if bias is None else y + bias

    @staticmethod
    def backward(ctx, grad_y):
        x, mean, var, weight = ctx.saved_tensors
        rstd = torch.rsqrt(var + 1e-5)
        x_hat = (x - mean) * rstd
        g = grad_y * weight if weight is not None else grad_y
        grad_x = rstd * (g - g.mean(-1, keepdim=True) - x_hat * (g * x_hat).mean(-1, keepdim=True))
        d = x.shape[-1]
        grad_w = (grad_y * x_hat).reshape(-1, d).sum(0) if weight is not None else None
        grad_b = grad_y.reshape(-1, d).sum(0) if ctx.has_bias else None
        return grad_x, grad_w, grad_b, None

"""float32 detour: the forward computes the statistics in float32 "for speed"
(x.float().mean(...), x.float().var(...)) and casts back. The dtype is right, but float64
inputs lose every digit after the 7th, which the contract rules out.

Fix: compute in x's dtype; no .float()."""

import torch

from solutions.norms.layer_norm import *  # noqa: F401,F403 (the rest is correct)
from solutions.norms.layer_norm import LayerNormFunction as _Ref


class LayerNormFunction(_Ref):
    @staticmethod
    def forward(ctx, x, weight, bias, eps):
        xf = x.float()
        mean = xf.mean(dim=-1, keepdim=True)
        rstd = torch.rsqrt(xf.var(dim=-1, keepdim=True, correction=0) + eps)
        x_hat = ((xf - mean) * rstd).to(x.dtype)
        rstd = rstd.to(x.dtype)
        ctx.save_for_backward(x_hat, rstd, weight)
        ctx.has_bias = bias is not None
        y = x_hat if weight is None else x_hat * weight
        return y if bias is None else y + bias

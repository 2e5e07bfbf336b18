"""Stand-in weight on the default device: for weight=None the forward substitutes
torch.ones(D, dtype=x.dtype) so one formula covers both cases, but without device=x.device.
On a GPU input that CPU tensor breaks the multiplication (device mismatch).

Fix: skip the scaling when weight is None (or torch.ones_like(x[..., 0, None]) /
x.new_ones(D))."""

import torch

from solutions.norms.layer_norm import *  # noqa: F401,F403 (the rest is correct)
from solutions.norms.layer_norm import LayerNormFunction as _Ref


class LayerNormFunction(_Ref):
    @staticmethod
    def forward(ctx, x, weight, bias, eps):
        mean = x.mean(dim=-1, keepdim=True)
        rstd = torch.rsqrt(x.var(dim=-1, keepdim=True, correction=0) + eps)
        x_hat = (x - mean) * rstd
        ctx.save_for_backward(x_hat, rstd, weight)
        ctx.has_bias = bias is not None
        w = weight if weight is not None else torch.ones(x.shape[-1], dtype=x.dtype)
        y = x_hat * w
        return y if bias is None else y + bias

"""Stand-in weight in the default dtype: for weight=None the forward substitutes
torch.ones(D, device=x.device) so one formula covers both cases, but without dtype=x.dtype.
Under torch.set_default_dtype(torch.float64) that ones vector is float64 and promotes a float32
input's output to float64.

Fix: skip the scaling when weight is None (or x.new_ones(D))."""

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
        w = weight if weight is not None else torch.ones(x.shape[-1], device=x.device)
        y = x_hat * w
        return y if bias is None else y + bias

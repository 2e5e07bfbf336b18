"""eps outside the square root: (x - mean) / (sqrt(var) + eps). PyTorch (and the paper)
divide by sqrt(var + eps). The two agree while var >> eps, so ordinary inputs hide the bug,
but for a nearly constant feature vector (var ~ 1e-6) the outputs differ several-fold, and
with var = 0 the gradient of sqrt is infinite. Fix: torch.rsqrt(var + eps)."""

import torch

from solutions.norms.layer_norm import LayerNormFunction as _Correct
from solutions.norms.layer_norm import *  # noqa: F401,F403 (the rest is correct)


class LayerNormFunction(_Correct):
    @staticmethod
    def forward(ctx, x, weight, bias, eps):
        mean = x.mean(dim=-1, keepdim=True)
        var = x.var(dim=-1, keepdim=True, correction=0)
        rstd = 1 / (torch.sqrt(var) + eps)
        x_hat = (x - mean) * rstd
        ctx.save_for_backward(x_hat, rstd, weight)
        ctx.has_bias = bias is not None
        y = x_hat * weight if weight is not None else x_hat
        return y + bias if bias is not None else y

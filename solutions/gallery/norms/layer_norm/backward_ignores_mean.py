"""Backward that treats mean and variance as constants: grad_x = grad_y * weight * rstd.
Both statistics are functions of x, so moving one input moves every output of its row; the
chain rule adds two correction terms: grad_x = rstd * (g - mean(g) - x_hat * mean(g * x_hat)),
with g = grad_y * weight. gradcheck (finite differences) exposes the missing terms."""

from solutions.norms.layer_norm import LayerNormFunction as _Correct
from solutions.norms.layer_norm import *  # noqa: F401,F403 (the rest is correct)


class LayerNormFunction(_Correct):
    @staticmethod
    def backward(ctx, grad_y):
        x_hat, rstd, weight = ctx.saved_tensors
        g = grad_y * weight if weight is not None else grad_y
        d = x_hat.shape[-1]
        grad_weight = (grad_y * x_hat).reshape(-1, d).sum(0) if weight is not None else None
        grad_bias = grad_y.reshape(-1, d).sum(0) if ctx.has_bias else None
        return g * rstd, grad_weight, grad_bias, None

"""grad_weight and grad_bias not summed over the leading dims: backward returns grad_y * x_hat
and grad_y themselves, of x's shape (..., D), for weight and bias of shape (D,). Training
looks fine, because the autograd engine quietly sums a gradient of a broadcast shape down to
the input's shape; but the contract says backward returns gradients of the inputs' shapes,
and anything that calls the backward directly (a fused optimiser step, a test, double
backward through the Function) gets (N, D) tensors where (D,) ones belong.

Fix: sum over every leading dim: (grad_y * x_hat).reshape(-1, D).sum(0) and
grad_y.reshape(-1, D).sum(0)."""

from solutions.norms.layer_norm import *  # noqa: F401,F403 (the rest is correct)
from solutions.norms.layer_norm import LayerNormFunction as _Reference


class LayerNormFunction(_Reference):
    @staticmethod
    def backward(ctx, grad_y):
        x_hat, rstd, weight = ctx.saved_tensors
        g = grad_y * weight if weight is not None else grad_y
        grad_x = rstd * (g - g.mean(dim=-1, keepdim=True)
                         - x_hat * (g * x_hat).mean(dim=-1, keepdim=True))
        grad_weight = grad_y * x_hat if weight is not None else None
        grad_bias = grad_y if ctx.has_bias else None
        return grad_x, grad_weight, grad_bias, None

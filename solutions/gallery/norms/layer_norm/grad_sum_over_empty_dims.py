"""Parameter gradients summed over an empty dim tuple: backward sums grad_y * x_hat over
dim=tuple(range(grad_y.dim() - 1)), the leading dims. For an input with no leading dims,
x of shape (D,), that tuple is empty, and torch's sum(dim=()) sums over EVERY dim, returning
a scalar instead of a (D,) gradient.

Fix: flatten the leading dims and sum over them: (grad_y * x_hat).reshape(-1, D).sum(0)."""

from solutions.norms.layer_norm import *  # noqa: F401,F403 (the rest is correct)
from solutions.norms.layer_norm import LayerNormFunction as _Ref


class LayerNormFunction(_Ref):
    @staticmethod
    def backward(ctx, grad_y):
        x_hat, rstd, weight = ctx.saved_tensors
        g = grad_y * weight if weight is not None else grad_y
        grad_x = rstd * (g - g.mean(-1, keepdim=True) - x_hat * (g * x_hat).mean(-1, keepdim=True))
        lead = tuple(range(grad_y.dim() - 1))
        grad_w = (grad_y * x_hat).sum(dim=lead) if weight is not None else None
        grad_b = grad_y.sum(dim=lead) if ctx.has_bias else None
        return grad_x, grad_w, grad_b, None

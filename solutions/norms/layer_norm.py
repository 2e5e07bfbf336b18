"""Day 14 — norms/layer_norm: reference solution."""

import math

import torch
import torch.nn as nn


class LayerNormFunction(torch.autograd.Function):
    """LayerNorm over the last dim with a manual backward: apply(x, weight, bias, eps)."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, weight: torch.Tensor | None, bias: torch.Tensor | None,
                eps: float) -> torch.Tensor:
        """x (..., D) -> normalised over D, scaled by weight, shifted by bias."""
        mean = x.mean(dim=-1, keepdim=True)
        var = x.var(dim=-1, keepdim=True, correction=0)  # biased: divide by D
        rstd = torch.rsqrt(var + eps)
        x_hat = (x - mean) * rstd
        ctx.save_for_backward(x_hat, rstd, weight)
        ctx.has_bias = bias is not None
        y = x_hat
        if weight is not None:
            y = y * weight
        if bias is not None:
            y = y + bias
        return y

    @staticmethod
    def backward(ctx, grad_y: torch.Tensor):
        """-> (grad_x, grad_weight, grad_bias, None)."""
        x_hat, rstd, weight = ctx.saved_tensors
        g = grad_y * weight if weight is not None else grad_y
        grad_x = rstd * (g - g.mean(dim=-1, keepdim=True)
                         - x_hat * (g * x_hat).mean(dim=-1, keepdim=True))
        d = x_hat.shape[-1]
        grad_weight = (grad_y * x_hat).reshape(-1, d).sum(0) if weight is not None else None
        grad_bias = grad_y.reshape(-1, d).sum(0) if ctx.has_bias else None
        return grad_x, grad_weight, grad_bias, None


class LayerNorm(nn.Module):
    """nn.LayerNorm's contract: per-sample normalisation over the trailing dims."""

    def __init__(self, normalized_shape: int | tuple[int, ...], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True):
        super().__init__()
        if isinstance(normalized_shape, int):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(normalized_shape)
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(self.normalized_shape)) if elementwise_affine else None
        self.bias = nn.Parameter(torch.zeros(self.normalized_shape)) if elementwise_affine and bias else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (..., *normalized_shape) -> same shape."""
        k = len(self.normalized_shape)
        d = math.prod(self.normalized_shape)  # spelled out: -1 is ambiguous for an empty batch
        flat = x.reshape(*x.shape[: x.dim() - k], d)  # the normalised dims as one last dim
        w = self.weight.reshape(-1) if self.weight is not None else None
        b = self.bias.reshape(-1) if self.bias is not None else None
        return LayerNormFunction.apply(flat, w, b, self.eps).reshape(x.shape)

"""Day 14 — norms/layer_norm: LayerNorm with a hand-written backward.

Layer normalisation rescales each sample by its own statistics:
    y = (x - mean) / sqrt(var + eps) * weight + bias
where mean and var are taken over the normalised (trailing) dims of that one sample, and var
is the BIASED variance (divide by the number of elements, not by n - 1), as nn.LayerNorm does.
Numerics: the variance must stay accurate when a sample's mean is far from 0 compared with its
spread (x ~ 1000 + N(0, 1) in float32): compute it from x - mean, not as E[x^2] - E[x]^2.
float64 inputs are computed in float64 throughout (no float32 detour). Leading dims may be of
any size, 0 included (an empty output). eps is used exactly as given, 0.0 included.

Write:
    LayerNormFunction — a torch.autograd.Function with a hand-written backward, normalising
        over the LAST dim only:
            y = LayerNormFunction.apply(x, weight, bias, eps)
        x (..., D) float32 or float64 with any number of leading dims (or none);
        weight (D,) or None (no scaling); bias (D,) or None (no shift); eps a float.
        y has x's shape, dtype and device. backward(ctx, grad_y) returns the gradients for
        (x, weight, bias, eps): tensors of their shapes, None for an argument that was None,
        and None for eps. It must handle any grad_y layout (use reshape, not view).
        With x_hat = (x - mean) * rstd, rstd = 1 / sqrt(var + eps) and g = grad_y * weight:
            grad_x = rstd * (g - mean(g) - x_hat * mean(g * x_hat))   (means over the last dim)
            grad_weight = sum of grad_y * x_hat over the leading dims; grad_bias = sum of grad_y

    LayerNorm(normalized_shape, eps=1e-5, elementwise_affine=True, bias=True): an nn.Module
        like nn.LayerNorm. normalized_shape is an int or a tuple of the trailing dims to
        normalise over. Parameters `weight` (ones) and `bias` (zeros), both of shape
        normalized_shape, so it loads nn.LayerNorm's state_dict; bias=False leaves out `bias`,
        elementwise_affine=False leaves out both. forward(x) -> same shape and dtype as x
        (float16 and bfloat16 too, for a module moved to that dtype with .to(dtype)), also for a
        module called before it was moved and given a new state_dict (read the parameters
        in every forward; keep no view of them from an earlier call).
        Gradients may come from your LayerNormFunction (flatten the normalised dims into
        one) or from autograd.

Off limits: F.layer_norm, torch.layer_norm, nn.LayerNorm, torch.native_layer_norm and its
backward (aten native_layer_norm / native_layer_norm_backward).
torch.mean, torch.var(unbiased=False / correction=0), torch.rsqrt etc. are fine.
Inputs must not be modified.
Run: pytest katas/norms/layer_norm.py
"""

import torch
import torch.nn as nn


class LayerNormFunction(torch.autograd.Function):
    """LayerNorm over the last dim with a manual backward: apply(x, weight, bias, eps)."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, weight: torch.Tensor | None, bias: torch.Tensor | None,
                eps: float) -> torch.Tensor:
        """x (..., D) -> normalised over D, scaled by weight, shifted by bias."""
        raise NotImplementedError

    @staticmethod
    def backward(ctx, grad_y: torch.Tensor):
        """-> (grad_x, grad_weight, grad_bias, None)."""
        raise NotImplementedError


class LayerNorm(nn.Module):
    """nn.LayerNorm's contract: per-sample normalisation over the trailing dims."""

    def __init__(self, normalized_shape: int | tuple[int, ...], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True):
        super().__init__()
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (..., *normalized_shape) -> same shape."""
        raise NotImplementedError

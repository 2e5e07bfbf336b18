"""Day 14 — norms/rms_norm: RMSNorm, and the pre-norm and post-norm residual wirings.

Write:
    RMSNorm(dim, eps=1e-6): an nn.Module normalising over the last dimension (size dim).
        Parameter: `weight`, shape (dim,), initialised to ones (its state_dict has exactly
        the key "weight", so nn.RMSNorm(dim)'s state_dict loads into it and back).
        forward(x): x of shape (..., dim), float32 or float64 (module and input in the same
        dtype) -> same shape, dtype and device (any device: a helper tensor you build, such as
        an eps tensor, goes on x.device):
            x / sqrt(mean(x ** 2 over the last dim) + eps) * weight
        Unlike LayerNorm there is no mean subtraction and no bias: a row of constants c
        normalises to sign(c) * weight (up to eps), not to 0. eps goes INSIDE the sqrt, and
        is used exactly as given (eps=0.0 is a value, not "not given"). It lives in
        the attribute `eps`, read at every forward (as nn.RMSNorm's). Leading dims may be of
        any size, 0 included; a row of exact zeros gives 0 with a finite gradient.
        Equals nn.RMSNorm(dim, eps=eps) with the same weight.
    pre_norm(x, sublayer, norm) -> x + sublayer(norm(x))   (GPT-2, Llama: the residual
        stream carries x itself; only the sublayer's input is normalised)
    post_norm(x, sublayer, norm) -> norm(x + sublayer(x))  (the original Transformer)
        sublayer and norm are any callables mapping (..., d) -> (..., d) (modules or
        functions); call each as given, exactly once per wiring call (a sublayer may be
        stochastic, e.g. hold dropout: the output must use that one call's result).

Off limits: torch.nn.functional.rms_norm, torch.rms_norm (and nn.RMSNorm, which calls them)
inside RMSNorm.forward; use pow/mean/rsqrt (or sqrt) and arithmetic.
Inputs must not be modified.
Run: pytest katas/norms/rms_norm.py
"""

from typing import Callable

import torch
from torch import nn


class RMSNorm(nn.Module):
    """Root-mean-square normalisation over the last dim, with a learned scale `weight`."""

    def __init__(self, dim: int, eps: float = 1e-6):
        """Register weight = ones(dim) as a parameter; keep eps."""
        raise NotImplementedError

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x / sqrt(mean(x^2, -1) + eps) * weight."""
        raise NotImplementedError


def pre_norm(x: torch.Tensor, sublayer: Callable[[torch.Tensor], torch.Tensor],
             norm: Callable[[torch.Tensor], torch.Tensor]) -> torch.Tensor:
    """x + sublayer(norm(x))."""
    raise NotImplementedError


def post_norm(x: torch.Tensor, sublayer: Callable[[torch.Tensor], torch.Tensor],
              norm: Callable[[torch.Tensor], torch.Tensor]) -> torch.Tensor:
    """norm(x + sublayer(x))."""
    raise NotImplementedError

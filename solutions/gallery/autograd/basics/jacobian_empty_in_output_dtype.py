"""Builds the empty Jacobian (x or f(x) with 0 elements) with y.new_zeros(...): it then has
f(x)'s dtype, float64 for a float32 x whose f computes in double precision. The Jacobian has
x's dtype, empty or not: x.new_zeros(f(x).shape + x.shape)."""

from typing import Callable

import torch

from solutions.autograd.basics import *  # noqa: F401,F403 (the rest is correct)
from solutions.autograd.basics import _fresh_leaf


def jacobian(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    x = _fresh_leaf(x)
    with torch.enable_grad():
        y = f(x)
        flat = y.reshape(-1)
        rows = []
        for i in range(flat.numel()):
            (row,) = torch.autograd.grad(flat[i], x, retain_graph=True, allow_unused=True)
            rows.append(torch.zeros_like(x) if row is None else row)
    if not rows:
        return y.new_zeros(y.shape + x.shape)
    return torch.stack(rows).reshape(y.shape + x.shape)

"""Fills a Jacobian buffer made with torch.zeros(shape, dtype=x.dtype): no device=, so it
lives on the CPU whatever x's device is, and on a GPU the first row written into it fails
(or the result comes back on the wrong device). Make buffers with x.new_zeros(...)."""

from typing import Callable

import torch

from solutions.autograd.basics import *  # noqa: F401,F403 (the rest is correct)
from solutions.autograd.basics import _fresh_leaf


def jacobian(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    x = _fresh_leaf(x)
    with torch.enable_grad():
        y = f(x)
        flat = y.reshape(-1)
        jac = torch.zeros(flat.numel(), x.numel(), dtype=x.dtype)
        for i in range(flat.numel()):
            (row,) = torch.autograd.grad(flat[i], x, retain_graph=True, allow_unused=True)
            if row is not None:
                jac[i] = row.reshape(-1)
    return jac.reshape(y.shape + x.shape)

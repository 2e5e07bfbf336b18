"""Returns torch.zeros(f(x).shape + x.shape, dtype=x.dtype) when there are no gradients to
stack (x or f(x) has 0 elements): no device=, so that empty Jacobian lives on the CPU whatever
x's device is. Build it with x.new_zeros(...), like every other buffer."""

from typing import Callable

import torch

from solutions.autograd.basics import *  # noqa: F401,F403 (the rest is correct)
from solutions.autograd.basics import _fresh_leaf


def jacobian(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    x = _fresh_leaf(x)
    with torch.enable_grad():
        y = f(x)
        if y.numel() == 0 or x.numel() == 0:
            return torch.zeros(y.shape + x.shape, dtype=x.dtype)
        flat = y.reshape(-1)
        rows = []
        for i in range(flat.numel()):
            (row,) = torch.autograd.grad(flat[i], x, retain_graph=True, allow_unused=True)
            rows.append(torch.zeros_like(x) if row is None else row)
    return torch.stack(rows).reshape(y.shape + x.shape)

"""Flattens each gradient with row.view(-1) before stacking: the gradients autograd returns may
be non-contiguous (for an f that transposes, x.mT.exp(), each one comes back transposed), and
.view(-1) raises on them. Flatten with .reshape(-1), or stack the rows as they are."""

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
            rows.append(torch.zeros_like(x).view(-1) if row is None else row.view(-1))
    if not rows:
        return x.new_zeros(y.shape + x.shape)
    return torch.stack(rows).view(y.shape + x.shape)

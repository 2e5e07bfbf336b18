"""Turns on requires_grad on the caller's x (x.requires_grad_() when it is off) instead of
working on a detached copy: x leaves the call requiring grad, and every later op on it builds
a graph the caller never asked for. Differentiate a fresh leaf: x.detach().requires_grad_()."""

from typing import Callable

import torch

from solutions.autograd.basics import *  # noqa: F401,F403 (the rest is correct)


def jacobian(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    if not x.requires_grad:
        x.requires_grad_()
    with torch.enable_grad():
        y = f(x)
        flat = y.reshape(-1)
        rows = []
        for i in range(flat.numel()):
            (row,) = torch.autograd.grad(flat[i], x, retain_graph=True, allow_unused=True)
            rows.append(torch.zeros_like(x) if row is None else row)
    if not rows:
        return x.new_zeros(y.shape + x.shape)
    return torch.stack(rows).reshape(y.shape + x.shape)

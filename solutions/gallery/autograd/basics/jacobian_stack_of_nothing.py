"""Stacks one gradient per output element with torch.stack(rows): when f(x) or x has 0
elements there are no rows (or rows of nothing) and torch.stack([]) raises "stack expects a
non-empty TensorList" instead of returning the empty Jacobian of shape f(x).shape + x.shape.

Fix: if there are no rows, return x.new_zeros(f(x).shape + x.shape)."""

import torch

from solutions.autograd.basics import *  # noqa: F401,F403 (the rest is correct)


def jacobian(f, x: torch.Tensor) -> torch.Tensor:
    x = x.detach().requires_grad_()
    with torch.enable_grad():
        y = f(x)
        flat = y.reshape(-1)
        rows = [torch.autograd.grad(flat[i], x, retain_graph=True)[0] for i in range(flat.numel())]
    return torch.stack(rows).reshape(y.shape + x.shape)

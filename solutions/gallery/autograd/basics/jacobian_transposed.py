"""Transposed Jacobian: putting the input dims first (x.shape + f(x).shape) makes J[j, i] =
d f_i / d x_j, the transpose of the convention torch uses. Row i of the Jacobian is the
gradient of output element i: stack those gradients along a new first dim."""

import torch

from solutions.autograd.basics import *  # noqa: F401,F403 (the rest is correct)


def jacobian(f, x: torch.Tensor) -> torch.Tensor:
    x = x.detach().requires_grad_()
    with torch.enable_grad():
        y = f(x)
    flat = y.reshape(-1)
    rows = [torch.autograd.grad(flat[i], x, retain_graph=True)[0] for i in range(flat.numel())]
    return torch.stack(rows, dim=-1).reshape(x.shape + y.shape)

"""Estimates the Jacobian with central finite differences in float64, (f(x + h e_j) -
f(x - h e_j)) / 2h, instead of asking autograd. On smooth functions it agrees to ~1e-10,
but it is not the derivative autograd computes: it differentiates through x.detach() (a
stop-gradient, d(x * x.detach())/dx is x for autograd, 2x numerically) and gives relu'(0) =
0.5 where autograd says 0. It also costs 2 forward passes per input element.

Fix: one torch.autograd.grad(flat[i], x, retain_graph=True) per output element, stacked."""

import torch

from solutions.autograd.basics import *  # noqa: F401,F403 (the rest is correct)


def jacobian(f, x: torch.Tensor) -> torch.Tensor:
    x64 = x.detach().to(torch.float64)
    h = 1e-6
    with torch.no_grad():
        y = f(x64)
        cols = []
        for j in range(x64.numel()):
            e = torch.zeros(x64.numel(), dtype=torch.float64, device=x.device)
            e[j] = h
            e = e.reshape(x64.shape)
            cols.append(((f(x64 + e) - f(x64 - e)) / (2 * h)).reshape(-1))
        if not cols:
            return x.new_zeros(y.shape + x.shape)
        jac = torch.stack(cols, dim=1)
    return jac.reshape(y.shape + x.shape).to(x.dtype)

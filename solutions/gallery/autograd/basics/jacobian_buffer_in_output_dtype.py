"""Preallocates the Jacobian with dtype=f(x).dtype: when f computes in another dtype (float32
x, float64 output, as in a loss computed in double precision) the result comes back in the
output's dtype. Each row is a gradient with respect to x, so the Jacobian has x's dtype, as
torch.autograd.functional.jacobian's has.

Fix: x.new_zeros(m, x.numel()) (x's dtype and device), or stack the gradients themselves."""

import torch

from solutions.autograd.basics import *  # noqa: F401,F403 (the rest is correct)


def jacobian(f, x: torch.Tensor) -> torch.Tensor:
    x = x.detach().requires_grad_()
    with torch.enable_grad():
        y = f(x)
        flat = y.reshape(-1)
        jac = torch.zeros(flat.numel(), x.numel(), dtype=y.dtype, device=x.device)
        for i in range(flat.numel()):
            jac[i] = torch.autograd.grad(flat[i], x, retain_graph=True)[0].reshape(-1)
    return jac.reshape(y.shape + x.shape)

"""Takes a shortcut for a 0-d f(x) (its Jacobian is its gradient) that calls f outside
torch.enable_grad(): the general path turns grad mode on, the shortcut does not, so inside the
caller's torch.no_grad() f(x) records no graph and torch.autograd.grad fails.

Fix: call f once, inside with torch.enable_grad():, before choosing a path."""

import torch

from solutions.autograd.basics import *  # noqa: F401,F403 (the rest is correct)
from solutions.autograd.basics import jacobian as _jacobian


def jacobian(f, x: torch.Tensor) -> torch.Tensor:
    leaf = x.detach().requires_grad_()
    y = f(leaf)
    if y.dim() == 0:
        return torch.autograd.grad(y, leaf)[0]
    return _jacobian(f, x)

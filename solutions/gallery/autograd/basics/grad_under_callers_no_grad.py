"""Relies on the caller's grad mode: called inside torch.no_grad() (an evaluation loop, a
metric), f(x) records no graph even though x requires grad, and torch.autograd.grad fails
with "element 0 of tensors does not require grad and does not have a grad_fn".

Fix: turn grad mode on for the forward yourself, with torch.enable_grad(): y = f(x); the
block restores the caller's mode when it ends."""

import torch

from solutions.autograd.basics import *  # noqa: F401,F403 (the rest is correct)


def grad_of(f, x: torch.Tensor) -> torch.Tensor:
    x = x.detach().requires_grad_()
    (g,) = torch.autograd.grad(f(x), x)
    return g

"""Converts x to float32 before differentiating (x.detach().float().requires_grad_(), "to be
sure it is a float tensor that autograd accepts"): the gradient then comes back in float32
for a float16 or bfloat16 x (and loses precision for a float64 x). df/dx has x's dtype, as
torch.autograd.grad(y, x) returns it.

Fix: x.detach().requires_grad_() keeps x's dtype and device; no conversion."""

import torch

from solutions.autograd.basics import *  # noqa: F401,F403 (the rest is correct)


def grad_of(f, x: torch.Tensor) -> torch.Tensor:
    x = x.detach().float().requires_grad_()
    with torch.enable_grad():
        y = f(x)
    (g,) = torch.autograd.grad(y, x)
    return g

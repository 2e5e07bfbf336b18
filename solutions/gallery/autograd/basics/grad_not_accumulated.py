"""Forgetting that .grad accumulates: clearing x.grad before each backward (what a training
loop's zero_grad does) leaves only the last pass's gradient, df/dx, instead of the sum of all
`times` passes, times * df/dx. Backward adds into .grad; let it add up."""

import torch

from solutions.autograd.basics import *  # noqa: F401,F403 (the rest is correct)


def accumulated_grad(f, x: torch.Tensor, times: int) -> torch.Tensor:
    y = f(x)
    for _ in range(times):
        x.grad = None
        y.backward(retain_graph=True)
    return x.grad

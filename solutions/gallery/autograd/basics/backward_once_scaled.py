"""Applies the formula instead of doing the passes: one y.backward() and then
x.grad *= times gives the same numbers as `times` backward calls, but the kata is about what
.grad does when several backward passes go through one graph (gradient accumulation over
micro-batches, a node reused by two losses): it asks for `times` backward calls through y,
and this never makes the second one, so retain_graph is never needed and never learned.

Fix: y = f(x) once, then `for _ in range(times): y.backward(retain_graph=True)` and return
x.grad: the passes add up by themselves."""

import torch

from solutions.autograd.basics import *  # noqa: F401,F403 (the rest is correct)


def accumulated_grad(f, x: torch.Tensor, times: int) -> torch.Tensor:
    with torch.enable_grad():
        y = f(x)
    y.backward()
    x.grad.mul_(times)  # .grad adds up, so times passes are times * df/dx
    return x.grad

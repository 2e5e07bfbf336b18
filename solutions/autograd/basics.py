"""Day 3 — autograd/basics: reference solution."""

from typing import Callable

import torch
from torch import nn


def _fresh_leaf(x: torch.Tensor) -> torch.Tensor:
    """A new leaf with x's values that requires grad: x's own graph and .grad stay untouched."""
    return x.detach().requires_grad_()


def grad_of(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """df/dx for a scalar-valued f, without touching x.grad."""
    x = _fresh_leaf(x)
    with torch.enable_grad():
        y = f(x)
    (g,) = torch.autograd.grad(y, x)
    return g


def jacobian(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    """The Jacobian of f at x, shaped f(x).shape + x.shape."""
    x = _fresh_leaf(x)
    with torch.enable_grad():  # the caller may be inside torch.no_grad(); flat[i] is recorded too
        y = f(x)
        flat = y.reshape(-1)
        rows = []
        for i in range(flat.numel()):
            # One vector-Jacobian product per output element; the graph is reused, so keep it.
            (row,) = torch.autograd.grad(flat[i], x, retain_graph=True, allow_unused=True)
            rows.append(torch.zeros_like(x) if row is None else row)
    if not rows:
        return x.new_zeros(y.shape + x.shape)
    return torch.stack(rows).reshape(y.shape + x.shape)


def accumulated_grad(f: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor,
                     times: int) -> torch.Tensor:
    """x's .grad after `times` backward calls through one graph of f(x)."""
    with torch.enable_grad():  # the caller may be inside torch.no_grad()
        y = f(x)
    for _ in range(times):
        y.backward(retain_graph=True)  # the same graph again: its buffers must survive
    return x.grad


def no_grad_eval(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """model(x) in eval mode with no graph; model.training restored afterwards."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            return model(x)
    finally:
        model.train(was_training)

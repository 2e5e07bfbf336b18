"""Another style: gradients read from .grad after backward on a private copy of x (the
caller's x and x.grad never take part), the Jacobian filled row by row into a preallocated
buffer from one-hot upstream gradients, the last backward of accumulated_grad freeing the
graph, and no_grad_eval under torch.inference_mode()."""

import torch
from torch import nn

from solutions.autograd.basics import *  # noqa: F401,F403


def grad_of(f, x: torch.Tensor) -> torch.Tensor:
    mine = x.detach().clone().requires_grad_()
    with torch.enable_grad():
        f(mine).backward()
    return mine.grad


def jacobian(f, x: torch.Tensor) -> torch.Tensor:
    mine = x.detach().requires_grad_()
    with torch.enable_grad():
        y = f(mine)
    m = y.numel()
    jac = x.new_zeros(m, x.numel())
    onehot = torch.zeros(m, dtype=y.dtype, device=y.device)
    for i in range(m):
        onehot.zero_()
        onehot[i] = 1
        (row,) = torch.autograd.grad(y, mine, onehot.reshape(y.shape), retain_graph=True,
                                     allow_unused=True)
        if row is not None:
            jac[i] = row.reshape(-1)
    return jac.reshape(y.shape + x.shape)


def accumulated_grad(f, x: torch.Tensor, times: int) -> torch.Tensor:
    with torch.enable_grad():
        y = f(x)
    for k in range(times):
        y.backward(retain_graph=k < times - 1)
    return x.grad


def no_grad_eval(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode():
            return model(x)
    finally:
        model.train(was_training)

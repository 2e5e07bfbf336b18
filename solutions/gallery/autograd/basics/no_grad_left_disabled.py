"""Switching gradients off for good: torch.set_grad_enabled(False) before the forward builds
no graph, as asked, but nothing turns gradients back on. Every later forward in the program
silently builds no graph either, and the next loss.backward() fails with "element 0 of
tensors does not require grad" far away from this function.

Fix: use a block that restores the setting when it ends: with torch.no_grad(): out = model(x)."""

import torch
from torch import nn

from solutions.autograd.basics import *  # noqa: F401,F403 (the rest is correct)


def no_grad_eval(model: nn.Module, x: torch.Tensor) -> torch.Tensor:
    was_training = model.training
    model.eval()
    torch.set_grad_enabled(False)
    out = model(x)
    model.train(was_training)
    return out

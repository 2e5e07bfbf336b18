"""Turns gradients off with torch.set_grad_enabled(False) and back on with
set_grad_enabled(True) afterwards: a caller that had them off (an evaluation loop inside
torch.no_grad()) finds them switched on, and everything after this call silently builds
graphs again.

Fix: use `with torch.no_grad():` (or save torch.is_grad_enabled() and restore that value)."""

import torch

from solutions.autograd.basics import *  # noqa: F401,F403 (the rest is correct)


def no_grad_eval(model, x: torch.Tensor) -> torch.Tensor:
    was_training = model.training
    model.eval()
    torch.set_grad_enabled(False)
    try:
        return model(x)
    finally:
        torch.set_grad_enabled(True)
        model.train(was_training)

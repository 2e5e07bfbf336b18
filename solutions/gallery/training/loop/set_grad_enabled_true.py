"""Turns gradients off with torch.set_grad_enabled(False) and back on with
set_grad_enabled(True) at the end: called inside the caller's `with torch.no_grad():` block
(a validation step of a larger loop), evaluate switches gradients ON for the rest of that
block, which then builds graphs it never meant to.

Fix: `with torch.no_grad():` (or torch.inference_mode()) around the loop restores the grad
mode it found."""

import torch

from solutions.training.loop import *  # noqa: F401,F403 (the rest is correct)


def evaluate(model, loader, loss_fn):
    was_training = model.training
    model.eval()
    torch.set_grad_enabled(False)
    total, count = 0.0, 0
    for inputs, targets in loader:
        total += loss_fn(model(inputs), targets).item() * inputs.shape[0]
        count += inputs.shape[0]
    torch.set_grad_enabled(True)
    model.train(was_training)
    return total / count

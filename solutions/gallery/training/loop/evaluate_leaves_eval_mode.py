"""Leaves the model in eval mode: evaluate() is usually called between training epochs, and
if it does not restore the mode, the next epoch trains with dropout switched off. Remember
was_training = model.training and call model.train(was_training) at the end."""

import torch

from solutions.training.loop import *  # noqa: F401,F403 (the rest is correct)


def evaluate(model, loader, loss_fn):
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for inputs, targets in loader:
            total += loss_fn(model(inputs), targets).item() * inputs.shape[0]
            count += inputs.shape[0]
    return total / count

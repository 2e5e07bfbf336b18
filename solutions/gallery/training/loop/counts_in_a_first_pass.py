"""evaluate walks the loader twice, once to count the samples and once to add the losses: a
generator or any one-shot iterable is empty the second time (ZeroDivisionError, or a loss
of 0), and a DataLoader pays for loading every batch twice.

Fix: one pass: add loss.item() * n and n together."""

import torch

from solutions.training.loop import *  # noqa: F401,F403 (the rest is correct)


def evaluate(model, loader, loss_fn):
    was_training = model.training
    model.eval()
    count = sum(inputs.shape[0] for inputs, _ in loader)
    total = 0.0
    with torch.no_grad():
        for inputs, targets in loader:
            total += loss_fn(model(inputs), targets).item() * inputs.shape[0]
    model.train(was_training)
    return total / count

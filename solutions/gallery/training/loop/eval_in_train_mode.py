"""Evaluates in train mode: torch.no_grad() turns off gradient tracking, NOT training
behaviour. Dropout still drops units at random (and BatchNorm uses batch statistics), so the
evaluation is noisy and too pessimistic. Call model.eval() first, and restore the previous
mode with model.train(was_training) afterwards."""

import torch

from solutions.training.loop import *  # noqa: F401,F403 (the rest is correct)


def evaluate(model, loader, loss_fn):
    total, count = 0.0, 0
    with torch.no_grad():
        for inputs, targets in loader:
            total += loss_fn(model(inputs), targets).item() * inputs.shape[0]
            count += inputs.shape[0]
    return total / count

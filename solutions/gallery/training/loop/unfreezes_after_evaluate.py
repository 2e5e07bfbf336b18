"""Freezes the model with model.requires_grad_(False) for the evaluation and "restores" it with
model.requires_grad_(True): every parameter the caller had frozen (a pretrained backbone
during fine-tuning) comes back trainable, so the next epoch updates layers meant to stay
fixed.

Fix: torch.no_grad() alone stops graph building; leave requires_grad alone."""

import torch

from solutions.training.loop import *  # noqa: F401,F403 (the rest is correct)


def evaluate(model, loader, loss_fn):
    was_training = model.training
    model.eval()
    model.requires_grad_(False)
    total, count = 0.0, 0
    with torch.no_grad():
        for inputs, targets in loader:
            total += loss_fn(model(inputs), targets).item() * inputs.shape[0]
            count += inputs.shape[0]
    model.requires_grad_(True)
    model.train(was_training)
    return total / count

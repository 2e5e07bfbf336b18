"""Only the model's forward sits inside torch.no_grad(); the loss is computed after the block
with gradients on. A loss_fn holding learnable parameters (a temperature, a learned weight)
then builds a graph for every evaluated batch, which the contract rules out.

Fix: put the whole loop, loss included, inside `with torch.no_grad():`."""

import torch

from solutions.training.loop import *  # noqa: F401,F403 (the rest is correct)


def evaluate(model, loader, loss_fn):
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    for inputs, targets in loader:
        with torch.no_grad():
            outputs = model(inputs)
        loss = loss_fn(outputs, targets)
        total += loss.item() * inputs.shape[0]
        count += inputs.shape[0]
    model.train(was_training)
    return total / count

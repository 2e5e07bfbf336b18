"""Weights each batch's mean loss by targets.numel() (its tokens) instead of its batch size:
with sequences whose length changes from batch to batch, a batch of long sequences counts
for more than a batch of short ones, though the contract weights every batch by its number
of samples inputs.shape[0].

Fix: n = inputs.shape[0] per batch; total += loss.item() * n; count += n."""

import torch

from solutions.training.loop import *  # noqa: F401,F403 (the rest is correct)


def train_epoch(model, loader, optimizer, loss_fn):
    model.train()
    total, count = 0.0, 0
    for inputs, targets in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total += loss.item() * targets.numel()
        count += targets.numel()
    return total / count


def evaluate(model, loader, loss_fn):
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for inputs, targets in loader:
            total += loss_fn(model(inputs), targets).item() * targets.numel()
            count += targets.numel()
    model.train(was_training)
    return total / count

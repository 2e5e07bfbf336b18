"""Weights each batch's mean loss by len(targets) (targets.size(0)) instead of inputs.shape[0]:
the two agree only while targets keep the batch dimension first. With language-model targets
flattened to (B*T,), len(targets) counts tokens, so a batch of long sequences outweighs a
batch of short ones and the epoch's mean is not the mean over samples.

Fix: n = inputs.shape[0] per batch (the contract's batch size); total += loss.item() * n."""

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
        total += loss.item() * len(targets)
        count += len(targets)
    return total / count


def evaluate(model, loader, loss_fn):
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    with torch.no_grad():
        for inputs, targets in loader:
            total += loss_fn(model(inputs), targets).item() * targets.size(0)
            count += targets.size(0)
    model.train(was_training)
    return total / count

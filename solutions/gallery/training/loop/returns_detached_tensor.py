"""The running total kept as a detached tensor (total += loss.detach() * n): no graph is kept
alive, but train_epoch returns a 0-dim tensor, not the Python float the contract promises;
a list of such tensors from fit cannot go to json, and formatting or comparing them is
subtly different.

Fix: accumulate loss.item() * n (a float)."""

from solutions.training.loop import *  # noqa: F401,F403 (the rest is correct)


def train_epoch(model, loader, optimizer, loss_fn):
    model.train()
    total, count = 0.0, 0
    for inputs, targets in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total = total + loss.detach() * inputs.shape[0]
        count += inputs.shape[0]
    return total / count


def fit(model, loader, optimizer, loss_fn, epochs):
    return [train_epoch(model, loader, optimizer, loss_fn) for _ in range(epochs)]

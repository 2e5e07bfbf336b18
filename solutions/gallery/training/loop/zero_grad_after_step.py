"""zero_grad placed after optimizer.step() at the end of each iteration: every later step is
right, but the first step of the epoch also applies whatever .grad held before the epoch
(a previous backward, a gradient check, a loss computed for logging with backward).

Fix: reset first: zero_grad, forward, loss, backward, step."""

from solutions.training.loop import *  # noqa: F401,F403 (the rest is correct)


def train_epoch(model, loader, optimizer, loss_fn):
    model.train()
    total, count = 0.0, 0
    for inputs, targets in loader:
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        total += loss.item() * inputs.shape[0]
        count += inputs.shape[0]
    return total / count


def fit(model, loader, optimizer, loss_fn, epochs):
    return [train_epoch(model, loader, optimizer, loss_fn) for _ in range(epochs)]

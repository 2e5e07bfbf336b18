"""Every batch's loss tensor appended to a list "for logging" and converted with .item()
after the loop: each tensor in the list keeps its batch's autograd graph alive, so the whole
epoch's graphs stay in memory until train_epoch returns.

Fix: append loss.item() (a float), not the loss tensor."""

from solutions.training.loop import *  # noqa: F401,F403 (the rest is correct)


def train_epoch(model, loader, optimizer, loss_fn):
    model.train()
    losses, sizes = [], []
    for inputs, targets in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        losses.append(loss)
        sizes.append(inputs.shape[0])
    return sum(loss.item() * n for loss, n in zip(losses, sizes)) / sum(sizes)

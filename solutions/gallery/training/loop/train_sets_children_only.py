"""Switches only the model's children to train mode (`for m in model.children(): m.train()`):
a model handed over in eval mode (right after an evaluate()) keeps model.training False, so a
forward that reads self.training directly (F.dropout(x, p, self.training)) trains without
dropout. Fix: call model.train() at the start of the epoch; it sets the model and every
submodule."""

from solutions.training.loop import *  # noqa: F401,F403 (the rest is correct)


def train_epoch(model, loader, optimizer, loss_fn):
    for m in model.children():
        m.train()
    total, count = 0.0, 0
    for inputs, targets in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        total += loss.item() * inputs.shape[0]
        count += inputs.shape[0]
    return total / count

"""Running (Welford-style) mean of the loss updated per batch, model.zero_grad() for the reset, enumerate-based loop."""

import torch


def train_epoch(model, loader, optimizer, loss_fn):
    model.train()
    mean, seen = 0.0, 0
    for _, (inputs, targets) in enumerate(loader):
        model.zero_grad()
        optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        n = int(inputs.shape[0])
        seen += n
        mean += (loss.item() - mean) * n / seen
    return float(mean)


def fit(model, loader, optimizer, loss_fn, epochs):
    return list(map(lambda _: train_epoch(model, loader, optimizer, loss_fn), range(epochs)))


def evaluate(model, loader, loss_fn):
    mode = model.training
    model.train(False)
    mean, seen = 0.0, 0
    with torch.no_grad():
        for inputs, targets in loader:
            n = int(inputs.shape[0])
            seen += n
            mean += (loss_fn(model(inputs), targets).item() - mean) * n / seen
    model.train(mode)
    return float(mean)

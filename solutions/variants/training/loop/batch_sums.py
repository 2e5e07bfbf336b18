"""Per-batch sums kept in lists and summed at the end, set_to_none=False zeroing, inference_mode and a context manager restoring the mode."""

import contextlib

import torch


@contextlib.contextmanager
def _eval_mode(model):
    was = model.training
    model.eval()
    try:
        yield
    finally:
        model.train(was)


def train_epoch(model, loader, optimizer, loss_fn):
    model.train()
    sums, sizes = [], []
    for batch in loader:
        inputs, targets = batch
        optimizer.zero_grad(set_to_none=False)
        out = model(inputs)
        loss = loss_fn(out, targets)
        loss.backward()
        optimizer.step()
        sums.append(float(loss.detach()) * len(inputs))
        sizes.append(len(inputs))
    return float(sum(sums) / sum(sizes))


def fit(model, loader, optimizer, loss_fn, epochs):
    losses = []
    for _ in range(epochs):
        losses.append(train_epoch(model, loader, optimizer, loss_fn))
    return losses


def evaluate(model, loader, loss_fn):
    sums, n = 0.0, 0
    with _eval_mode(model), torch.inference_mode():
        for inputs, targets in loader:
            sums += loss_fn(model(inputs), targets).item() * inputs.size(0)
            n += inputs.size(0)
    return sums / n

"""The running total kept in torch.zeros(()) (float32, the default dtype) with loss.detach()
added in place: no graph is kept, but in-place addition keeps the total's dtype, so a float64
model's losses are rounded to float32 (~1e-8 off). Accumulate loss.item() in a Python float."""

from typing import Callable, Iterable

import torch
from torch import nn

from solutions.training.loop import *  # noqa: F401,F403 (the rest is correct)


def _mean_loss(model, loader, loss_fn, optimizer=None):
    total, count = torch.zeros(()), 0  # wrong: a float32 total
    for inputs, targets in loader:
        if optimizer is not None:
            optimizer.zero_grad()
        loss = loss_fn(model(inputs), targets)
        if optimizer is not None:
            loss.backward()
            optimizer.step()
        total += loss.detach() * inputs.shape[0]
        count += inputs.shape[0]
    return (total / count).item()


def train_epoch(model: nn.Module, loader: Iterable, optimizer: torch.optim.Optimizer, loss_fn: Callable) -> float:
    model.train()
    return _mean_loss(model, loader, loss_fn, optimizer)


def evaluate(model: nn.Module, loader: Iterable, loss_fn: Callable) -> float:
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            return _mean_loss(model, loader, loss_fn)
    finally:
        model.train(was_training)

"""Day 6 — training/loop: reference solution."""

from typing import Callable, Iterable

import torch
from torch import nn


def train_epoch(model: nn.Module, loader: Iterable, optimizer: torch.optim.Optimizer,
                loss_fn: Callable) -> float:
    """One epoch of training; the mean loss over the epoch's samples."""
    model.train()
    total, count = 0.0, 0
    for inputs, targets in loader:
        optimizer.zero_grad()                  # gradients accumulate unless reset
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        optimizer.step()
        n = inputs.shape[0]
        total += loss.item() * n               # the batch mean back to a batch sum
        count += n
    return total / count


def fit(model: nn.Module, loader: Iterable, optimizer: torch.optim.Optimizer,
        loss_fn: Callable, epochs: int) -> list[float]:
    """`epochs` epochs of train_epoch; the per-epoch mean losses."""
    return [train_epoch(model, loader, optimizer, loss_fn) for _ in range(epochs)]


def evaluate(model: nn.Module, loader: Iterable, loss_fn: Callable) -> float:
    """Mean loss over samples in eval mode, without gradients; the model's mode is restored."""
    was_training = model.training
    model.eval()
    total, count = 0.0, 0
    try:
        with torch.no_grad():
            for inputs, targets in loader:
                n = inputs.shape[0]
                total += loss_fn(model(inputs), targets).item() * n
                count += n
    finally:
        model.train(was_training)
    return total / count

"""fit returns torch.tensor(losses) "for plotting": the contract says a list of floats, one
per epoch; a tensor is not a list (append, json, == [] all behave differently).

Fix: return the list of train_epoch results as it is."""

import torch

from solutions.training.loop import *  # noqa: F401,F403 (the rest is correct)
from solutions.training.loop import train_epoch


def fit(model, loader, optimizer, loss_fn, epochs):
    return torch.tensor([train_epoch(model, loader, optimizer, loss_fn) for _ in range(epochs)])

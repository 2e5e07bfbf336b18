"""Day 6 — training/loop: a training loop, epochs, evaluation.

`loader` is a DataLoader (or any iterable) yielding (inputs, targets) batches; the batch size
is inputs.shape[0], and the last batch may be shorter than the others; it yields at least one
batch (an empty loader is not promised anything). `loss_fn(output, targets)` returns the
MEAN loss over the batch as a 0-d tensor (like nn.CrossEntropyLoss()).

Write:
    train_epoch(model, loader, optimizer, loss_fn) -> float: one pass over the loader in train
        mode (model.train()), one optimisation step per batch: reset the gradients of every
        parameter the optimizer updates (optimizer.zero_grad(): loss_fn may hold learnable
        parameters too, which model.zero_grad() misses), forward, loss, backward,
        optimizer.step(). Returns the mean loss over SAMPLES of the epoch: each batch's loss
        (computed before its step) weighted by its batch size inputs.shape[0] (not by the
        number of elements or tokens of inputs or targets, nor by len(targets): targets may
        be flattened to (B*T,)), divided by the number of samples.
    fit(model, loader, optimizer, loss_fn, epochs) -> list[float]: `epochs` calls of
        train_epoch; returns the list of their mean losses, one per epoch, in order.
    evaluate(model, loader, loss_fn) -> float: the mean loss over samples (weighted like
        train_epoch), computed in eval mode (model.eval(): dropout off) and without building
        a graph (torch.no_grad() or torch.inference_mode(), which also leave torch's grad mode
        as they found it, even when evaluate is called inside a torch.no_grad() block).
        Changes no parameter (not its value, its .grad, or its requires_grad: a frozen layer
        stays frozen; torch.no_grad() needs no model.requires_grad_(False)), and leaves the
        model in the mode it found it (train or eval):
        was_training = model.training first, model.train(was_training) at the end is enough
        (submodules set to a mode other than model's, and a model or loss_fn that raises,
        are not promised anything).

Return Python floats (loss.item()), not tensors: a running total of loss tensors (or a list
of them, even one turned into a float at the end) keeps every batch's graph alive until the
epoch ends; accumulate loss.item() per batch. A float64 model's mean loss keeps float64
precision (a running total in a float32 tensor, torch.zeros(()) or torch.tensor(0.0), rounds it).
Off limits: none.
Run: pytest katas/training/loop.py
"""

from typing import Callable, Iterable

import torch
from torch import nn


def train_epoch(model: nn.Module, loader: Iterable, optimizer: torch.optim.Optimizer,
                loss_fn: Callable) -> float:
    """One epoch of training; the mean loss over the epoch's samples."""
    raise NotImplementedError


def fit(model: nn.Module, loader: Iterable, optimizer: torch.optim.Optimizer,
        loss_fn: Callable, epochs: int) -> list[float]:
    """`epochs` epochs of train_epoch; the per-epoch mean losses."""
    raise NotImplementedError


def evaluate(model: nn.Module, loader: Iterable, loss_fn: Callable) -> float:
    """Mean loss over samples in eval mode, without gradients; the model's mode is restored."""
    raise NotImplementedError

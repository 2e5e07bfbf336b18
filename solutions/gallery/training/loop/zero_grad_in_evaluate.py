"""Calls model.zero_grad() at the start of evaluate "to be clean": the caller's .grad (a
gradient being accumulated over several micro-batches, with an evaluation in between) is
wiped, though evaluate computes no gradients and must change no parameter.

Fix: evaluate has no gradients to reset; leave .grad alone."""

import torch

from solutions.training.loop import *  # noqa: F401,F403 (the rest is correct)


def evaluate(model, loader, loss_fn):
    was_training = model.training
    model.eval()
    model.zero_grad()
    total, count = 0.0, 0
    with torch.no_grad():
        for inputs, targets in loader:
            total += loss_fn(model(inputs), targets).item() * inputs.shape[0]
            count += inputs.shape[0]
    model.train(was_training)
    return total / count

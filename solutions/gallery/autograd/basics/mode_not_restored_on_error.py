"""Restores the training mode only on the normal path: when model(x) raises (a shape
mismatch, an out-of-memory error that the caller catches and retries smaller), the model is
left in eval mode, and the training that follows runs without dropout and with frozen batch
norm statistics.

Fix: was_training = model.training; model.eval(); try: ... finally: model.train(was_training)."""

import torch

from solutions.autograd.basics import *  # noqa: F401,F403 (the rest is correct)


def no_grad_eval(model, x: torch.Tensor) -> torch.Tensor:
    was_training = model.training
    model.eval()
    with torch.no_grad():
        out = model(x)
    model.train(was_training)
    return out

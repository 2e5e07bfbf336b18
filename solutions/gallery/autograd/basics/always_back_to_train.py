"""Restoring the wrong mode: calling model.train() at the end switches a model that was in
eval mode before the call into training mode. Restore what it was: model.train(was_training)."""

import torch

from solutions.autograd.basics import *  # noqa: F401,F403 (the rest is correct)


def no_grad_eval(model, x: torch.Tensor) -> torch.Tensor:
    model.eval()
    with torch.no_grad():
        out = model(x)
    model.train()
    return out

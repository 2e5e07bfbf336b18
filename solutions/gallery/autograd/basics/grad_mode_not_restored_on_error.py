"""Turns grad mode off with torch.set_grad_enabled(False) and back with set_grad_enabled(prev)
only on the normal path: when model(x) raises (an out-of-memory error the caller catches and
retries smaller), grad mode stays off for the caller, and its training step that follows
builds no graph (loss.backward() then fails: "does not require grad").

Fix: `with torch.no_grad(): return model(x)` restores the caller's mode on an error too."""

import torch

from solutions.autograd.basics import *  # noqa: F401,F403 (the rest is correct)


def no_grad_eval(model, x: torch.Tensor) -> torch.Tensor:
    was_training = model.training
    prev = torch.is_grad_enabled()
    model.eval()
    torch.set_grad_enabled(False)
    try:
        out = model(x)
    finally:
        model.train(was_training)
    torch.set_grad_enabled(prev)  # wrong: skipped when model(x) raises
    return out

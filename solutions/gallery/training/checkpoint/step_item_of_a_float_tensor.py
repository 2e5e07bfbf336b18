"""Turns a tensor step into a number with step.item() instead of int(step): right for an int
tensor, but the step a run most often has at hand is Adam's optimizer.state[p]["step"], a 0-d
float32 tensor, whose .item() is 7.0. The checkpoint then holds a float step (and
load_checkpoint returns one), where the contract says a Python int.

Fix: int(step), which takes an int, a numpy int and a 0-d tensor of any dtype alike."""

import torch

from solutions.training.checkpoint import *  # noqa: F401,F403 (the rest is correct)
from solutions.training.checkpoint import _atomic_save, _rng_state


def save_checkpoint(path, model, optimizer, step, *, extra=None):
    if isinstance(step, torch.Tensor):
        step = step.item()  # wrong: 7.0 for a float tensor (int(step) is 7)
    payload = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step,
               "rng": _rng_state(), "extra": extra}
    _atomic_save(payload, path)

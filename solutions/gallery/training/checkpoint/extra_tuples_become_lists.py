"""Copies `extra` before saving with a recursive helper (tensors detached and cloned onto the
CPU) that rebuilds every sequence with a list comprehension: `isinstance(v, (list, tuple))` ->
`[copy(x) for x in v]`. A tuple in extra (a scheduler's factors, a (mean, std) pair) comes back
a list: not the value that was saved, and code that unpacks it or uses it as a dict key breaks.

Fix: keep the container's type (`type(v)(copy(x) for x in v)` for lists and tuples), or save
extra as given: torch.save keeps tuples and lists apart."""

import torch

from solutions.training.checkpoint import *  # noqa: F401,F403 (the rest is correct)
from solutions.training.checkpoint import save_checkpoint as _correct


def _copy(value):
    if isinstance(value, torch.Tensor):
        return value.detach().cpu().clone()
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_copy(item) for item in value]  # wrong: a tuple becomes a list
    return value


def save_checkpoint(path, model, optimizer, step, *, extra=None):
    _correct(path, model, optimizer, step, extra=_copy(extra))

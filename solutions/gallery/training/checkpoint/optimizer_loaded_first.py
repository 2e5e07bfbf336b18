"""Loads the optimizer's state before the model's: with a model that does not match the
checkpoint (an extra layer, a missing BatchNorm), the optimizer built on it has another
number of parameters, so the user gets optimizer.load_state_dict's "loaded state dict
contains a parameter group that doesn't match the size of optimizer's group" (a ValueError)
instead of the model's RuntimeError that names the missing and unexpected weights.

Fix: load (or check) the model first, then the optimizer."""

from solutions.training.checkpoint import *  # noqa: F401,F403 (the rest is correct)
from solutions.training.checkpoint import _read_checkpoint, _set_rng_state


def load_checkpoint(path, model, optimizer):
    payload = _read_checkpoint(path)
    weights = {k: v.clone() for k, v in model.state_dict().items()}
    try:
        optimizer.load_state_dict(payload["optimizer"])
        model.load_state_dict(payload["model"])
    except BaseException:
        model.load_state_dict(weights)
        raise
    _set_rng_state(payload["rng"])
    return int(payload["step"]), payload["extra"]

"""Restores the random states before loading the model and the optimizer: when one of those
loads raises (a mismatched model), the caller's generators have already jumped to the
checkpoint's states, so a load that failed still changed the run (a caller that starts
fresh after the error draws the checkpoint's random numbers).

Fix: restore the random states last, once both loads have succeeded."""

from solutions.training.checkpoint import *  # noqa: F401,F403 (the rest is correct)
from solutions.training.checkpoint import _read_checkpoint, _set_rng_state


def load_checkpoint(path, model, optimizer):
    payload = _read_checkpoint(path)
    _set_rng_state(payload["rng"])
    weights = {k: v.clone() for k, v in model.state_dict().items()}
    try:
        model.load_state_dict(payload["model"])
        optimizer.load_state_dict(payload["optimizer"])
    except BaseException:
        model.load_state_dict(weights)
        raise
    return int(payload["step"]), payload["extra"]

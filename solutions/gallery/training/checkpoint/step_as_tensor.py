"""Stores a step given as a tensor (a counter kept on the device) as that tensor and returns
whatever was stored: load_checkpoint then returns a 0-d tensor, which breaks
`range(step, total)`, JSON logging and `if step % 100 == 0` comparisons downstream, and an
int step comes back fine only by luck of the caller.

Fix: save int(step) and return int(payload["step"])."""

from solutions.training.checkpoint import *  # noqa: F401,F403 (the rest is correct)
from solutions.training.checkpoint import _atomic_save, _read_checkpoint, _rng_state, _set_rng_state


def save_checkpoint(path, model, optimizer, step, *, extra=None):
    _atomic_save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                  "step": step, "rng": _rng_state(), "extra": extra}, path)


def load_checkpoint(path, model, optimizer):
    payload = _read_checkpoint(path)
    weights = {k: v.clone() for k, v in model.state_dict().items()}
    try:
        model.load_state_dict(payload["model"])
        optimizer.load_state_dict(payload["optimizer"])
    except BaseException:
        model.load_state_dict(weights)
        raise
    _set_rng_state(payload["rng"])
    return payload["step"], payload["extra"]

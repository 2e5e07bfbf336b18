"""Saves `extra or None`, to store "nothing" one way: a falsy extra the caller handed over (the
epoch 0, an empty list of best losses, 0.0) comes back as None, and code that resumes with
extra["epoch"] or len(extra) fails or restarts from the wrong place.

Fix: save extra exactly as given (its default is already None)."""

from solutions.training.checkpoint import *  # noqa: F401,F403 (the rest is correct)
from solutions.training.checkpoint import _atomic_save, _rng_state


def save_checkpoint(path, model, optimizer, step, *, extra=None):
    _atomic_save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                  "step": int(step), "rng": _rng_state(), "extra": extra or None}, path)

"""Draws the temporary file's name from Python's global `random`: every save consumes a
random number, so a run that saves shuffles its later batches differently from the same run
without saves, and a resumed run (restored to the state before that draw) differs from the
run that never stopped.

Fix: let tempfile.mkstemp(dir=folder) pick the name (it uses its own generator), or use a
fixed name such as path + '.tmp'."""

import os
import random

import torch

from solutions.training.checkpoint import *  # noqa: F401,F403 (the rest is correct)
from solutions.training.checkpoint import _rng_state


def save_checkpoint(path, model, optimizer, step, *, extra=None):
    payload = {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
               "step": int(step), "rng": _rng_state(), "extra": extra}
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = f"{path}.{random.getrandbits(32):08x}.tmp"
    try:
        with open(tmp, "wb") as f:
            torch.save(payload, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise

"""Removes the temporary file in `except Exception:`: a Ctrl-C (KeyboardInterrupt, which is
not an Exception) in the middle of torch.save leaves the half-written temporary file behind.

Fix: clean up in `except BaseException:` (then raise) or in a `finally:`."""

import os
import tempfile

import torch

from solutions.training.checkpoint import *  # noqa: F401,F403 (the rest is correct)
from solutions.training.checkpoint import _rng_state


def save_checkpoint(path, model, optimizer, step, *, extra=None):
    payload = {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
               "step": int(step), "rng": _rng_state(), "extra": extra}
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(payload, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except Exception:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise

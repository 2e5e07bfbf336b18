"""Removes the temporary file only when torch.save itself raises: the try wraps torch.save but
not the flush, os.fsync and os.replace after it, so a failing fsync (an I/O error, a full disk
reported at sync time) or a failing rename propagates and leaves the temporary file behind.

Fix: one try around the whole write (torch.save, flush, fsync, replace), cleaning up in
`except BaseException:` (then raise) or in a `finally:`."""

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
    with os.fdopen(fd, "wb") as f:
        try:
            torch.save(payload, f)
        except BaseException:
            f.close()
            os.remove(tmp)
            raise
        f.flush()
        os.fsync(f.fileno())  # an error here (or in the replace) leaves tmp behind
    os.replace(tmp, path)

"""Removes the old checkpoint before renaming the temporary file onto path (os.remove(path);
os.rename(tmp, path), as if a rename could not overwrite): a crash between the two leaves no
checkpoint at all, where the contract promises the old one or the new one at every moment.

Fix: os.replace(tmp, path) swaps the files in one atomic step (it overwrites on every OS)."""

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
        if os.path.exists(path):
            os.remove(path)  # wrong: from here until the rename there is no checkpoint
        os.rename(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise

"""Renames the temporary file onto path without fsyncing it: the data may still sit in the
operating system's cache when the rename reaches the disk, and after a power cut the
checkpoint's name points at an empty or partial file (the classic zero-length file after a
crash).

Fix: f.flush(); os.fsync(f.fileno()) on the temporary file, then os.replace."""

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
    fd, tmp = tempfile.mkstemp(dir=folder)
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(payload, f)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise

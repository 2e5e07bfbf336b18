"""Creates the folder with os.makedirs(os.path.dirname(path), exist_ok=True): for a bare file
name ("ckpt.pt", saved into the working folder) dirname is "" and os.makedirs("") raises
FileNotFoundError, so a run that checkpoints next to itself cannot save at all.

Fix: take the folder of os.path.abspath(path) (or Path(path).parent, which is ".")."""

import os
import tempfile

import torch

from solutions.training.checkpoint import *  # noqa: F401,F403 (the rest is correct)
from solutions.training.checkpoint import _rng_state


def save_checkpoint(path, model, optimizer, step, *, extra=None):
    payload = {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
               "step": int(step), "rng": _rng_state(), "extra": extra}
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder or None, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(payload, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise

"""Catches the error of a failed save and only warns: the training loop carries on believing
the checkpoint exists, and the next crash resumes from a much older one (or from nothing).

Fix: remove the temporary file, then re-raise (`raise` alone) so the caller learns the save
failed."""

import os
import tempfile
import warnings

import torch

from solutions.training.checkpoint import *  # noqa: F401,F403 (the rest is correct)
from solutions.training.checkpoint import _rng_state


def save_checkpoint(path, model, optimizer, step, *, extra=None):
    payload = {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
               "step": int(step), "rng": _rng_state(), "extra": extra}
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(payload, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except Exception as err:
        warnings.warn(f"could not save the checkpoint {path}: {err}")
        if os.path.exists(tmp):
            os.remove(tmp)

"""The cleanup's try covers torch.save, the flush and os.fsync, but the replace comes after it:
when os.replace itself fails (another file system, a permission error, the target busy on
Windows), the exception propagates, but the temporary file is left behind in the folder.

Fix: one try around the whole write, the replace included (try: save, flush, fsync,
os.replace; except BaseException: remove the temporary file if it still exists; raise)."""

import os
import tempfile

import torch

from solutions.training import checkpoint as _reference
from solutions.training.checkpoint import *  # noqa: F401,F403 (the rest is correct)


def save_checkpoint(path, model, optimizer, step, *, extra=None):
    payload = {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
               "step": int(step), "rng": _reference._rng_state(), "extra": extra}
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            torch.save(payload, f)
            f.flush()
            os.fsync(f.fileno())
    except BaseException:
        os.remove(tmp)
        raise
    os.replace(tmp, path)  # wrong: outside the try, a failing replace leaves tmp behind

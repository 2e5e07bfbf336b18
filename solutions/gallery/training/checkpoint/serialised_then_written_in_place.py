"""Serialises into memory first, then writes the bytes over the old file: torch.save can no
longer fail half-way, but the write itself still truncates and rewrites the checkpoint in
place. A crash (a full disk, a power cut) during that write leaves half a file, and an
evaluator that had the old checkpoint open suddenly reads the new one.

Fix: write the bytes to a temporary file in the same folder, fsync it, os.replace it onto
path."""

import io
import os

import torch

from solutions.training.checkpoint import *  # noqa: F401,F403 (the rest is correct)
from solutions.training.checkpoint import _rng_state


def save_checkpoint(path, model, optimizer, step, *, extra=None):
    buffer = io.BytesIO()
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "step": int(step), "rng": _rng_state(), "extra": extra}, buffer)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "wb") as f:
        f.write(buffer.getvalue())
        f.flush()
        os.fsync(f.fileno())

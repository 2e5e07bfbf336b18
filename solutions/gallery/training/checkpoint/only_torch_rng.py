"""Saves and restores torch's generator only: batches shuffled with Python's `random` and
augmentation drawn from np.random come out differently after a resume, so the resumed run
trains on other data than the run that never stopped.

Fix: save and restore all three: torch.get_rng_state(), random.getstate(),
np.random.get_state() (keys as a tensor)."""

import torch

from solutions.training.checkpoint import *  # noqa: F401,F403 (the rest is correct)
from solutions.training.checkpoint import _atomic_save, _read_checkpoint


def save_checkpoint(path, model, optimizer, step, *, extra=None):
    _atomic_save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                  "step": int(step), "rng": {"torch": torch.get_rng_state()}, "extra": extra},
                 path)


def load_checkpoint(path, model, optimizer):
    payload = _read_checkpoint(path)
    weights = {k: v.clone() for k, v in model.state_dict().items()}
    try:
        model.load_state_dict(payload["model"])
        optimizer.load_state_dict(payload["optimizer"])
    except BaseException:
        model.load_state_dict(weights)
        raise
    torch.set_rng_state(payload["rng"]["torch"])
    return int(payload["step"]), payload["extra"]

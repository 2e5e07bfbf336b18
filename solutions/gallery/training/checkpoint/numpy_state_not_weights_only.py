"""Saves np.random.get_state() as it is: its 624 keys are a numpy array, which
torch.load(weights_only=True) refuses, so every checkpoint this writes fails to load (the
save "works"; the resume does not).

Fix: store the keys as a tensor, (name, torch.from_numpy(keys), pos, has_gauss, gauss), and
turn them back with keys.numpy() for np.random.set_state."""

import random

import numpy as np
import torch

from solutions.training.checkpoint import *  # noqa: F401,F403 (the rest is correct)
from solutions.training.checkpoint import _atomic_save


def save_checkpoint(path, model, optimizer, step, *, extra=None):
    rng = {"torch": torch.get_rng_state(), "python": random.getstate(),
           "numpy": np.random.get_state()}
    _atomic_save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                  "step": int(step), "rng": rng, "extra": extra}, path)

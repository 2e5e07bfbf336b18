"""Keeps only numpy's keys and position and restores has_gauss = 0: numpy's legacy normal
draws come in pairs and the second of a pair is cached (has_gauss, cached_gaussian). After an
odd number of np.random.normal draws, the resumed run throws the cached value away and every
later Gaussian is shifted by one.

Fix: save all five entries of np.random.get_state() and give all five back."""

import random

import numpy as np
import torch

from solutions.training.checkpoint import *  # noqa: F401,F403 (the rest is correct)
from solutions.training.checkpoint import _atomic_save


def save_checkpoint(path, model, optimizer, step, *, extra=None):
    name, keys, pos, _, _ = np.random.get_state()
    rng = {"torch": torch.get_rng_state(), "python": random.getstate(),
           "numpy": (name, torch.from_numpy(keys), pos, 0, 0.0)}
    _atomic_save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                  "step": int(step), "rng": rng, "extra": extra}, path)

"""Follows torch's "make a copy" advice for a negative-stride array: the result shares
nothing with `a`, silently breaking the promise; the contract says raise ValueError.

Fix: let torch.from_numpy raise (or raise ValueError yourself); never copy.
"""

import numpy as np
import torch

from solutions.tensors.creation import *  # noqa: F401,F403 (the rest is correct)


def share_numpy(a: np.ndarray) -> torch.Tensor:
    try:
        return torch.from_numpy(a)
    except ValueError:
        return torch.from_numpy(a.copy())

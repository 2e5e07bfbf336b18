"""Checks only the first axis for a negative stride before torch.from_dlpack: a[:, ::-1]
gets through, and from_dlpack aborts the process on it instead of raising ValueError.

Fix: check every entry of a.strides (any(s < 0 for s in a.strides)), or use torch.from_numpy.
"""

import numpy as np
import torch

from solutions.tensors.creation import *  # noqa: F401,F403 (the rest is correct)


def share_numpy(a: np.ndarray) -> torch.Tensor:
    if a.ndim and a.strides[0] < 0:
        raise ValueError("cannot share an array with a negative stride")
    return torch.from_dlpack(a)

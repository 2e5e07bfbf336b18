"""Copies where sharing was asked: torch.tensor(a) always copies the array, so a write to
`a` never shows in the tensor. torch.from_numpy(a) (or torch.as_tensor) shares the memory."""

import numpy as np
import torch

from solutions.tensors.creation import *  # noqa: F401,F403 (the rest is correct)


def share_numpy(a: np.ndarray) -> torch.Tensor:
    return torch.tensor(a)

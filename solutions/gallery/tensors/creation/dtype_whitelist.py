"""Validates the array against a table of "the usual" dtypes (floats, ints, uint8, bool) before
sharing it and raises TypeError for anything else: complex64/complex128 arrays (FFT output,
signal processing) and uint16 images, which torch.from_numpy shares fine, are refused. The
contract says any dtype torch supports; the only array to refuse is one with a negative
stride.

Fix: let torch.from_numpy decide which dtypes it supports; check only the strides (or let
from_numpy raise its ValueError)."""

import numpy as np
import torch

from solutions.tensors.creation import *  # noqa: F401,F403 (the rest is correct)

_SUPPORTED = {np.dtype(d) for d in (np.float16, np.float32, np.float64, np.int8, np.int16, np.int32,
                                    np.int64, np.uint8, np.bool_)}


def share_numpy(a: np.ndarray) -> torch.Tensor:
    if any(stride < 0 for stride in a.strides):
        raise ValueError("arrays with a negative stride cannot be shared")
    if a.dtype not in _SUPPORTED:
        raise TypeError(f"unsupported dtype {a.dtype}")
    return torch.from_numpy(a)

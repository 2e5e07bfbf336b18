"""Materialising a copy: x.repeat(...) (like expand(...).clone() or x * torch.ones(shape))
gives the right values but allocates the whole broadcast result and no longer shares x's
memory. Broadcasting is free because the broadcast dims have stride 0: every index along them
reads the same element. Fix: compute the strides (0 on new and grown size-1 dims, x.stride()
elsewhere) and return x.as_strided(shape, strides)."""

import torch

from solutions.broadcasting.rules import *  # noqa: F401,F403 (the rest is correct)
from solutions.broadcasting.rules import broadcast_shapes


def broadcast_to(x: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    shape = tuple(shape)
    if len(shape) < x.dim() or tuple(broadcast_shapes(tuple(x.shape), shape)) != shape:
        raise ValueError(f"cannot broadcast shape {tuple(x.shape)} to {shape}")
    padded = x.reshape((1,) * (len(shape) - x.dim()) + tuple(x.shape))
    return padded.repeat(*(t // s for t, s in zip(shape, padded.shape)))  # a copy

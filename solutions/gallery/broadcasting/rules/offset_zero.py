"""Storage offset reset to 0: x.as_strided(shape, strides, 0) (or torch.as_strided with an
explicit storage_offset=0) reads from the start of the storage, not where x starts. For a
view such as base[2:3, 1::2] the result then holds base's first elements, not x's. Leave
storage_offset out (as_strided keeps x's) or pass x.storage_offset().

Fix: x.as_strided(shape, strides)."""

import torch

from solutions.broadcasting.rules import *  # noqa: F401,F403 (the rest is correct)


def broadcast_to(x: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    shape = tuple(shape)
    new = len(shape) - x.dim()
    if new < 0:
        raise ValueError(f"cannot broadcast shape {tuple(x.shape)} to fewer dims {shape}")
    strides = [0] * new
    for size, stride, target in zip(x.shape, x.stride(), shape[new:]):
        if size != target and size != 1:
            raise ValueError(f"cannot broadcast {tuple(x.shape)} to {shape}: {size} vs {target}")
        strides.append(stride if size == target else 0)
    return x.as_strided(shape, strides, 0)  # offset 0: the start of the storage

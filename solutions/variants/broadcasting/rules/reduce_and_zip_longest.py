"""Pairwise fold with functools.reduce over right-aligned zip_longest; broadcast_to by walking the dims from the right and calling torch.as_strided."""

import functools
import itertools

import torch


def _pair(left: tuple[int, ...], right: tuple[int, ...]) -> tuple[int, ...]:
    out = []
    for a, b in itertools.zip_longest(reversed(left), reversed(right), fillvalue=1):
        if a != b and 1 not in (a, b):
            raise ValueError(f"cannot broadcast {left} with {right}: size {a} vs {b}")
        out.append(b if a == 1 else a)
    return tuple(reversed(out))


def broadcast_shapes(*shapes: tuple[int, ...]) -> tuple[int, ...]:
    return functools.reduce(_pair, (tuple(s) for s in shapes), ())


def broadcast_to(x: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    shape = tuple(int(s) for s in shape)
    if x.dim() > len(shape):
        raise ValueError(f"x has {x.dim()} dims, more than the target {shape}")
    strides = []
    for d in range(1, len(shape) + 1):  # from the last dim backwards
        target = shape[-d]
        if d > x.dim():
            strides.append(0)
            continue
        size, stride = x.shape[-d], x.stride(-d)
        if size == target:
            strides.append(stride)
        elif size == 1:
            strides.append(0)
        else:
            raise ValueError(f"cannot broadcast {tuple(x.shape)} to {shape}: {size} vs {target}")
    return torch.as_strided(x, shape, tuple(reversed(strides)), x.storage_offset())

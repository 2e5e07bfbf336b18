"""Day 2 — broadcasting/rules: reference solution."""

import torch


def broadcast_shapes(*shapes: tuple[int, ...]) -> tuple[int, ...]:
    """The common broadcast shape of `shapes`; ValueError naming both sizes if incompatible."""
    ndim = max((len(s) for s in shapes), default=0)
    result = [1] * ndim
    for shape in shapes:
        padded = (1,) * (ndim - len(shape)) + tuple(shape)  # align at the last dim
        for i, size in enumerate(padded):
            if size == result[i] or size == 1:
                continue
            if result[i] != 1:
                raise ValueError(f"cannot broadcast {tuple(shape)}: at dim {i - ndim} "
                                 f"size {result[i]} vs {size}")
            result[i] = size
    return tuple(result)


def broadcast_to(x: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    """A stride-0 view of x with shape `shape` (no copy); ValueError if impossible.
    Differentiable w.r.t. x (as_strided's backward sums over the broadcast positions)."""
    shape = tuple(shape)
    new = len(shape) - x.dim()
    if new < 0:
        raise ValueError(f"cannot broadcast shape {tuple(x.shape)} to fewer dims {shape}")
    strides = [0] * new  # new leading dims repeat the same memory
    for size, stride, target in zip(x.shape, x.stride(), shape[new:]):
        if size == target:
            strides.append(stride)
        elif size == 1:
            strides.append(0)
        else:
            raise ValueError(f"cannot broadcast shape {tuple(x.shape)} to {shape}: "
                             f"size {size} vs {target}")
    return x.as_strided(shape, strides)  # keeps x's storage offset

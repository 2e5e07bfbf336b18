"""Per-dim loop over all shapes with a dict of seen sizes; broadcast_to by first adding the leading dims as views (x[None]) and then zeroing the strides of the size-1 dims that grow."""

import torch


def broadcast_shapes(*shapes: tuple[int, ...]) -> tuple[int, ...]:
    ndim = max((len(s) for s in shapes), default=0)
    result = []
    for axis in range(-ndim, 0):
        seen = {s[axis] for s in shapes if len(s) >= -axis} - {1}
        if len(seen) > 1:
            a, b = sorted(seen)[:2]
            raise ValueError(f"cannot broadcast {shapes}: at dim {axis} size {a} vs {b}")
        result.append(seen.pop() if seen else 1)
    return tuple(result)


def broadcast_to(x: torch.Tensor, shape: tuple[int, ...]) -> torch.Tensor:
    shape = tuple(shape)
    if len(shape) < x.dim():
        raise ValueError(f"cannot broadcast {tuple(x.shape)} to fewer dims {shape}")
    y = x
    while y.dim() < len(shape):
        y = y[None]  # a view: a new leading dim of size 1
    strides = list(y.stride())
    for i, (size, target) in enumerate(zip(y.shape, shape)):
        if size == target:
            continue
        if size != 1:
            raise ValueError(f"cannot broadcast {tuple(x.shape)} to {shape}: size {size} vs {target}")
        strides[i] = 0
    return y.as_strided(shape, strides)

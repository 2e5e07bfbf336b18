"""Shapes aligned from the left: padding the shorter shape with 1s on the RIGHT compares the
wrong dims, so (4, 1) with (3,) is rejected (4 vs 3) and (1, 3) with (5,) is accepted as
(5, 3). Broadcasting aligns trailing dims: a bias of shape (C,) broadcasts over (B, T, C)
because C meets C. Fix: pad on the left, (1,) * (ndim - len(shape)) + shape."""

from solutions.broadcasting.rules import *  # noqa: F401,F403 (the rest is correct)


def broadcast_shapes(*shapes: tuple[int, ...]) -> tuple[int, ...]:
    ndim = max((len(s) for s in shapes), default=0)
    result = [1] * ndim
    for shape in shapes:
        padded = tuple(shape) + (1,) * (ndim - len(shape))  # wrong side
        for i, size in enumerate(padded):
            if size == result[i] or size == 1:
                continue
            if result[i] != 1:
                raise ValueError(f"cannot broadcast {tuple(shape)}: size {result[i]} vs {size}")
            result[i] = size
    return tuple(result)

"""Accepting 2 vs 3: taking the larger size at every dim never fails, so shapes that cannot
broadcast, (2,) with (3,), silently give (3,), and the error shows up far away (or never,
with wrong values). Only equal sizes or a size of 1 are compatible; raise ValueError naming
both sizes otherwise."""

from solutions.broadcasting.rules import *  # noqa: F401,F403 (the rest is correct)


def broadcast_shapes(*shapes: tuple[int, ...]) -> tuple[int, ...]:
    ndim = max((len(s) for s in shapes), default=0)
    result = [1] * ndim
    for shape in shapes:
        padded = (1,) * (ndim - len(shape)) + tuple(shape)
        result = [max(r, s) for r, s in zip(result, padded)]  # no compatibility check
    return tuple(result)

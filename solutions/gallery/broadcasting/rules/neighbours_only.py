"""Checking only neighbouring shapes: comparing shapes[0] with shapes[1], shapes[1] with
shapes[2], ... and then taking the largest size at every dim misses a clash between shapes
that are not neighbours: (3,), (1,), (4,) passes both checks (3 vs 1, 1 vs 4) and comes out
as (4,), although 3 and 4 cannot broadcast. Broadcasting is a property of all the shapes
together.

Fix: fold the shapes into one running result and check each new shape against that result,
not against the previous shape."""

from solutions.broadcasting.rules import *  # noqa: F401,F403 (the rest is correct)


def broadcast_shapes(*shapes: tuple[int, ...]) -> tuple[int, ...]:
    ndim = max((len(s) for s in shapes), default=0)
    padded = [(1,) * (ndim - len(s)) + tuple(s) for s in shapes]
    for left, right in zip(padded, padded[1:]):  # neighbours only
        for a, b in zip(left, right):
            if a != b and a != 1 and b != 1:
                raise ValueError(f"cannot broadcast {left} with {right}: size {a} vs {b}")
    return tuple(max(sizes) for sizes in zip(*padded)) if padded else ()

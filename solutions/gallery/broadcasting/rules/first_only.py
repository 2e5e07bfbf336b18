"""Checking every shape against the first one only: with (1,), (3,), (4,) each of 3 and 4
is compatible with the first shape's 1, so the clash between 3 and 4 goes unnoticed and the
result is (4,). Once a dim has grown past 1, every later shape must agree with the grown
size, not with the original one.

Fix: keep a running result (starting from all 1s) and check each shape against it, updating
it as sizes grow."""

from solutions.broadcasting.rules import *  # noqa: F401,F403 (the rest is correct)


def broadcast_shapes(*shapes: tuple[int, ...]) -> tuple[int, ...]:
    ndim = max((len(s) for s in shapes), default=0)
    padded = [(1,) * (ndim - len(s)) + tuple(s) for s in shapes]
    for other in padded[1:]:
        for a, b in zip(padded[0], other):  # always against the first shape
            if a != b and a != 1 and b != 1:
                raise ValueError(f"cannot broadcast {padded[0]} with {other}: size {a} vs {b}")
    return tuple(max(sizes) for sizes in zip(*padded)) if padded else ()

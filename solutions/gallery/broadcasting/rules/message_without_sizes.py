"""An error message without the sizes: ValueError("shapes are not broadcastable at dim 0")
is the right exception, but the contract promises a message that names both clashing sizes
("size 3 vs 4"), so the caller can see which dim of which tensor is wrong without a debugger.

Fix: put both sizes in the message: f"... size {result[i]} vs {size}"."""

from solutions.broadcasting.rules import *  # noqa: F401,F403 (the rest is correct)


def broadcast_shapes(*shapes: tuple[int, ...]) -> tuple[int, ...]:
    ndim = max((len(s) for s in shapes), default=0)
    result = [1] * ndim
    for shape in shapes:
        padded = (1,) * (ndim - len(shape)) + tuple(shape)
        for i, size in enumerate(padded):
            if size == result[i] or size == 1:
                continue
            if result[i] != 1:
                raise ValueError("shapes are not broadcastable")  # which sizes?
            result[i] = size
    return tuple(result)

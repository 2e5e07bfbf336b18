"""An assert instead of the promised error: `assert a == b or a == 1 or b == 1` stops on a
clash, but with AssertionError (and with nothing at all under python -O, where asserts are
stripped). Callers that catch ValueError, as the contract tells them to, crash instead.

Fix: if the sizes clash, raise ValueError(f"... {a} ... {b} ...") naming both sizes."""

from solutions.broadcasting.rules import *  # noqa: F401,F403 (the rest is correct)


def broadcast_shapes(*shapes):
    ndim = max((len(s) for s in shapes), default=0)
    result = []
    for axis in range(-ndim, 0):
        size = 1
        for shape in shapes:
            if len(shape) >= -axis:
                d = shape[axis]
                assert d == size or d == 1 or size == 1, f"cannot broadcast {d} with {size}"
                size = d if size == 1 else size
        result.append(size)
    return tuple(result)

"""broadcast_shapes with a special case for no shapes that returns [] ("nothing to
broadcast"): every other call returns a tuple, but broadcast_shapes() returns a list, which
is not a shape (torch.Size([]) == [] is False, and code that adds tuples to it breaks).

Fix: return () for no shapes (or let the general loop do it: the result starts as an empty
tuple)."""

from solutions.broadcasting import rules as _reference
from solutions.broadcasting.rules import *  # noqa: F401,F403 (the rest is correct)


def broadcast_shapes(*shapes):
    if not shapes:
        return []
    return _reference.broadcast_shapes(*shapes)

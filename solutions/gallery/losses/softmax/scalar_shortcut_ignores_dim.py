"""softmax special-cases a 0-d x (`if x.dim() == 0: return x - x + 1`, differentiable and in x's
dtype) before looking at dim: softmax(scalar, dim=1) returns 1 where F.softmax raises
IndexError, so a typo'd dim on a scalar goes unnoticed.

Fix: a 0-d x takes dim -1 or 0 only; check dim in the shortcut too, or drop the shortcut
(x.amax(dim, keepdim=True) on a 0-d x works and raises for any other dim)."""

from solutions.losses import softmax as _reference
from solutions.losses.softmax import *  # noqa: F401,F403 (the rest is correct)


def softmax(x, dim=-1):
    if x.dim() == 0:
        return x - x + 1
    return _reference.softmax(x, dim)

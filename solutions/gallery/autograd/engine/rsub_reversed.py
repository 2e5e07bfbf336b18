"""Reversed operands in __rsub__: `2 - v` calls v.__rsub__(2), where self is v and other is 2,
so the result is other - self = 2 - v. Returning self - other computes v - 2: wrong value and
wrong sign of the gradient. The same care applies to __rtruediv__ (2 / v is other / self)."""

from solutions.autograd.engine import *  # noqa: F401,F403 (the rest is correct)
from solutions.autograd.engine import Value as _Correct


class Value(_Correct):
    def __rsub__(self, other):
        return self - other

"""tanh from its definition (e^2x - 1) / (e^2x + 1): at x = 800 math.exp(1600) raises
OverflowError, although tanh(800) = 1.

Fix: math.tanh(x) (or the same formula in e^-2x for x > 0)."""

import math

from solutions.autograd.engine import *  # noqa: F401,F403 (the rest is correct)
from solutions.autograd.engine import Value as _Correct


class Value(_Correct):
    def tanh(self):
        e = math.exp(2 * self.data)
        t = (e - 1) / (e + 1)
        return self._unary(t, 1.0 - t * t, "tanh")

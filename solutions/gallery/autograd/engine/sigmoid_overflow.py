"""sigmoid as the textbook 1 / (1 + math.exp(-x)): at x = -800, math.exp(800) raises
OverflowError (Python floats do not overflow to inf), although sigmoid(-800) is a finite ~0.

Fix: branch on the sign: e^x / (1 + e^x) for x < 0, 1 / (1 + e^-x) for x >= 0."""

import math

from solutions.autograd.engine import *  # noqa: F401,F403 (the rest is correct)
from solutions.autograd.engine import Value as _Correct


class Value(_Correct):
    def sigmoid(self):
        s = 1.0 / (1.0 + math.exp(-self.data))
        return self._unary(s, s * (1.0 - s), "sigmoid")

"""sigmoid and tanh with numpy's np.exp / np.tanh: np.exp(800) returns inf with a warning
where math.exp raises OverflowError, so 1 / (1 + np.exp(-x)) even looks finite at x = -800.
But every result is a numpy.float64, not a Python float, and the contract is plain Python
floats and the math module only (no numpy, no torch).

Fix: math.tanh for tanh; for sigmoid, the two-branch form with math.exp
(1 / (1 + e^-x) for x >= 0, e^x / (1 + e^x) for x < 0), so exp never sees a large positive
argument."""

import numpy as np

from solutions.autograd.engine import *  # noqa: F401,F403 (the rest is correct)
from solutions.autograd.engine import Value as _Value


class Value(_Value):
    def sigmoid(self):
        s = 1.0 / (1.0 + np.exp(-self.data))
        return self._unary(s, s * (1.0 - s), "sigmoid")

    def tanh(self):
        t = np.tanh(self.data)
        return self._unary(t, 1.0 - t * t, "tanh")

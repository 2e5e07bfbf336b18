"""Mul's local rule recovers the other factor from the output: d(a*b)/da = b = out / a. At
a = 0 that is 0 / 0 (ZeroDivisionError in Python floats), and exact zeros are everywhere
(relu outputs, a weight initialised to 0).

Fix: use the saved operands: self.grad += other.data * out.grad, other.grad += self.data * out.grad."""

from solutions.autograd.engine import *  # noqa: F401,F403 (the rest is correct)
from solutions.autograd.engine import Value as _Correct


class Value(_Correct):
    def __mul__(self, other):
        other = self._lift(other)
        out = type(self)(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += out.data / self.data * out.grad
            other.grad += out.data / other.data * out.grad

        out._backward = _backward
        return out

    def __rmul__(self, other):
        return self * other

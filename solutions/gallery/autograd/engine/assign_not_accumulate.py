"""`=` instead of `+=` in the local backward rules: a node used twice (x * x, or x feeding two
ops) receives one gradient contribution per use, and assigning keeps only the last one. For
out = x * x the rule runs "x.grad = x * 1" twice and leaves 3 instead of 6 at x = 3. Always
add into .grad: the chain rule sums over every path from the output to the node."""

from solutions.autograd.engine import *  # noqa: F401,F403 (the rest is correct)
from solutions.autograd.engine import Value as _Correct


class Value(_Correct):
    def __add__(self, other):
        other = other if isinstance(other, _Correct) else Value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad = out.grad
            other.grad = out.grad

        out._backward = _backward
        return out

    def __mul__(self, other):
        other = other if isinstance(other, _Correct) else Value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad = other.data * out.grad
            other.grad = self.data * out.grad

        out._backward = _backward
        return out

"""Pow's local rule written as k * out / a (since a**(k-1) = a**k / a): at a = 0 it divides
by zero, although d(a**2)/da = 0 there.

Fix: k * self.data ** (k - 1) * out.grad."""

from solutions.autograd.engine import *  # noqa: F401,F403 (the rest is correct)
from solutions.autograd.engine import Value as _Correct


class Value(_Correct):
    def __pow__(self, k):
        out = type(self)(self.data ** k, (self,), f"**{k}")

        def _backward():
            self.grad += k * out.data / self.data * out.grad

        out._backward = _backward
        return out

"""Pow's local rule skips a == 0 (to dodge 0 ** negative k): right for k > 1, where the
derivative at 0 is 0 anyway, but d(a ** 1)/da is 1 at a = 0 (k * 0.0 ** 0 = 1), so a ** 1
passes no gradient there.

Fix: always add k * self.data ** (k - 1) * out.grad (the contract keeps a != 0 when k <= 0)."""

from solutions.autograd.engine import *  # noqa: F401,F403 (the rest is correct)
from solutions.autograd.engine import Value as _Correct


class Value(_Correct):
    def __pow__(self, k):
        out = type(self)(self.data ** k, (self,), f"**{k}")

        def _backward():
            if self.data != 0:  # wrong: the derivative at 0 is not always 0
                self.grad += k * self.data ** (k - 1) * out.grad

        out._backward = _backward
        return out

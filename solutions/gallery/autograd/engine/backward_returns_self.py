"""backward() ends with `return self` (to allow chaining): the gradients are right, but the
contract says backward() returns None, and a caller that writes `loss = loss.backward()` or
checks the result gets a Value back.

Fix: let backward() fall off its end (return None)."""

from solutions.autograd.engine import *  # noqa: F401,F403 (the rest is correct)
from solutions.autograd.engine import Value as _Correct


class Value(_Correct):
    def backward(self):
        super().backward()
        return self  # wrong: backward returns None

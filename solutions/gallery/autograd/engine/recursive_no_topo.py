"""Recursing from the output without a topological order or a visited set: each node runs its
local backward once per path that reaches it, pushing its (growing) gradient again and again,
so nodes reached by several paths are counted several times. Visit each node exactly once, in
reverse topological order."""

from solutions.autograd.engine import *  # noqa: F401,F403 (the rest is correct)
from solutions.autograd.engine import Value as _Correct


class Value(_Correct):
    def backward(self):
        self.grad = 1.0

        def push(node):
            node._backward()
            for child in node._prev:
                push(child)

        push(self)

"""Nodes compared by value: Value defines __eq__ and __hash__ on .data, so the visited set of
the topological sort treats two different nodes holding the same number (x * 2 and x + x) as
one, skips the second, and its gradient never reaches its inputs.

Fix: keep the default identity __eq__/__hash__ (or key the visited set on id(node))."""

from solutions.autograd.engine import *  # noqa: F401,F403 (the rest is correct)
from solutions.autograd.engine import Value as _Value


class Value(_Value):
    def __eq__(self, other):  # wrong: equal numbers make equal nodes
        return isinstance(other, _Value) and self.data == other.data

    def __hash__(self):
        return hash(self.data)

    def backward(self):
        order, seen = [], set()

        def visit(node):
            if node in seen:  # wrong: a membership test by value
                return
            seen.add(node)
            for child in node._prev:
                visit(child)
            order.append(node)

        visit(self)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()

"""Day 4 — autograd/engine: a scalar autograd engine (micrograd-style).

Write one class, Value: a Python float that remembers how it was computed, so that
backward() can fill in d(output)/d(node) for every node of the expression graph.

    Value(data) -> a node holding the number `data` (an int or float).
        .data  the value, a float.
        .grad  d(output)/d(this node) after output.backward(); 0.0 until then.
        You may give __init__ more parameters, with defaults, for your own use (the Values
        it came from, an op name); the specs only ever call Value(data).

    Operators, each returning a new Value; the other operand is a Value or a plain number
    (int or float), on either side:
        v + w, v + 2, 2 + v        v - w, v - 2, 2 - v
        v * w, v * 2, 2 * v        v / w, v / 2, 2 / v
        v ** k for a plain number k (int or float; the specs use v.data > 0 when k is not an
            integer, and v.data != 0 when k <= 0). A Value exponent is not part of the contract.
    Methods, each returning a new Value:
        v.exp(), v.log() (v.data > 0), v.tanh(), v.relu() (derivative 0 at 0 and below, as in
        torch), v.sigmoid() (1 / (1 + e^-x)).

    out.backward() -> None: sets out.grad = 1 and, for every Value that out depends on, adds
        d(out)/d(node) into node.grad. Call it once on a freshly built graph (all grads 0).
        Leaves may be reused, as in a training loop: set their .grad back to 0, build a new
        graph on them and call backward() on its output; only that graph counts (nothing
        kept from an earlier backward() may push gradient again).
        A node used more than once (x * x, or a node reached by two paths) receives gradient
        from every use, so the local rules must add into .grad (+=), and a node may push its
        gradient to its inputs only after ALL of its users have pushed theirs to it: visit the
        nodes in reverse topological order, not in the order they are first reached.

The specs compare .data and .grad of every node with torch autograd in float64 on fixed and
randomly generated expression graphs (nodes reused, diamond-shaped graphs). Graphs stay a
few hundred nodes deep: a recursive topological sort (as in micrograd) is fine; deeper graphs
than Python's recursion limit allows are not part of the contract.

Off limits: torch (and any autograd library): plain Python floats and the math module only.
Run: pytest katas/autograd/engine.py
"""

from __future__ import annotations

import math  # noqa: F401  (math.exp, math.log, math.tanh are all you need)

Number = int | float


class Value:
    """A scalar node of an expression graph, with its gradient."""

    def __init__(self, data: Number) -> None:
        raise NotImplementedError

    def __add__(self, other: Value | Number) -> Value:
        """self + other."""
        raise NotImplementedError

    def __radd__(self, other: Number) -> Value:
        """other + self, for a plain number other."""
        raise NotImplementedError

    def __sub__(self, other: Value | Number) -> Value:
        """self - other."""
        raise NotImplementedError

    def __rsub__(self, other: Number) -> Value:
        """other - self, for a plain number other."""
        raise NotImplementedError

    def __mul__(self, other: Value | Number) -> Value:
        """self * other."""
        raise NotImplementedError

    def __rmul__(self, other: Number) -> Value:
        """other * self, for a plain number other."""
        raise NotImplementedError

    def __truediv__(self, other: Value | Number) -> Value:
        """self / other."""
        raise NotImplementedError

    def __rtruediv__(self, other: Number) -> Value:
        """other / self, for a plain number other."""
        raise NotImplementedError

    def __pow__(self, k: Number) -> Value:
        """self ** k for a plain number k."""
        raise NotImplementedError

    def exp(self) -> Value:
        """e ** self."""
        raise NotImplementedError

    def log(self) -> Value:
        """Natural log of self (self.data > 0)."""
        raise NotImplementedError

    def tanh(self) -> Value:
        """tanh(self)."""
        raise NotImplementedError

    def relu(self) -> Value:
        """max(self, 0); derivative 0 where self.data <= 0."""
        raise NotImplementedError

    def sigmoid(self) -> Value:
        """1 / (1 + e ** -self)."""
        raise NotImplementedError

    def backward(self) -> None:
        """Fill .grad of every node this one depends on, in reverse topological order."""
        raise NotImplementedError

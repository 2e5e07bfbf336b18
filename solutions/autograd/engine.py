"""Day 4 — autograd/engine: reference solution."""

from __future__ import annotations

import math

Number = int | float


class Value:
    """A scalar node of an expression graph, with its gradient."""

    def __init__(self, data: Number, _children: tuple[Value, ...] = (), _op: str = "") -> None:
        self.data = float(data)
        self.grad = 0.0
        self._prev = _children  # the Values this one was computed from
        self._op = _op
        self._backward = lambda: None  # pushes self.grad to self._prev (chain rule)
        # New nodes are made with type(self)(...) rather than Value(...), so that a subclass
        # of Value builds graphs of its own kind.

    def __repr__(self) -> str:
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g})"

    def _lift(self, x: Value | Number) -> Value:
        return x if isinstance(x, Value) else type(self)(x)

    # ------------------------------------------------------------------ binary ops
    def __add__(self, other: Value | Number) -> Value:
        """self + other."""
        other = self._lift(other)
        out = type(self)(self.data + other.data, (self, other), "+")

        def _backward():
            self.grad += out.grad
            other.grad += out.grad

        out._backward = _backward
        return out

    def __radd__(self, other: Number) -> Value:
        """other + self, for a plain number other."""
        return self + other

    def __sub__(self, other: Value | Number) -> Value:
        """self - other."""
        other = self._lift(other)
        out = type(self)(self.data - other.data, (self, other), "-")

        def _backward():
            self.grad += out.grad
            other.grad -= out.grad

        out._backward = _backward
        return out

    def __rsub__(self, other: Number) -> Value:
        """other - self, for a plain number other."""
        return self._lift(other) - self

    def __mul__(self, other: Value | Number) -> Value:
        """self * other."""
        other = self._lift(other)
        out = type(self)(self.data * other.data, (self, other), "*")

        def _backward():
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = _backward
        return out

    def __rmul__(self, other: Number) -> Value:
        """other * self, for a plain number other."""
        return self * other

    def __truediv__(self, other: Value | Number) -> Value:
        """self / other."""
        other = self._lift(other)
        out = type(self)(self.data / other.data, (self, other), "/")

        def _backward():
            self.grad += out.grad / other.data
            other.grad -= out.grad * self.data / other.data ** 2

        out._backward = _backward
        return out

    def __rtruediv__(self, other: Number) -> Value:
        """other / self, for a plain number other."""
        return self._lift(other) / self

    def __pow__(self, k: Number) -> Value:
        """self ** k for a plain number k."""
        out = type(self)(self.data ** k, (self,), f"**{k}")

        def _backward():
            self.grad += k * self.data ** (k - 1) * out.grad

        out._backward = _backward
        return out

    # ------------------------------------------------------------------ unary ops
    def _unary(self, value: float, local_grad: float, op: str) -> Value:
        """A one-input node whose local derivative is the number local_grad."""
        out = type(self)(value, (self,), op)

        def _backward():
            self.grad += local_grad * out.grad

        out._backward = _backward
        return out

    def exp(self) -> Value:
        """e ** self."""
        e = math.exp(self.data)
        return self._unary(e, e, "exp")

    def log(self) -> Value:
        """Natural log of self (self.data > 0)."""
        return self._unary(math.log(self.data), 1.0 / self.data, "log")

    def tanh(self) -> Value:
        """tanh(self)."""
        t = math.tanh(self.data)
        return self._unary(t, 1.0 - t * t, "tanh")

    def relu(self) -> Value:
        """max(self, 0); derivative 0 where self.data <= 0."""
        positive = self.data > 0
        return self._unary(self.data if positive else 0.0, 1.0 if positive else 0.0, "relu")

    def sigmoid(self) -> Value:
        """1 / (1 + e ** -self)."""
        x = self.data
        # Two forms, so that math.exp never sees a large positive argument.
        s = 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))
        return self._unary(s, s * (1.0 - s), "sigmoid")

    # ------------------------------------------------------------------ backward
    def backward(self) -> None:
        """Fill .grad of every node this one depends on, in reverse topological order."""
        order: list[Value] = []
        seen: set[int] = set()

        def visit(node: Value) -> None:  # post-order DFS: a node comes after its inputs
            if id(node) in seen:
                return
            seen.add(id(node))
            for child in node._prev:
                visit(child)
            order.append(node)

        visit(self)
        self.grad = 1.0
        for node in reversed(order):  # users before the nodes they use
            node._backward()

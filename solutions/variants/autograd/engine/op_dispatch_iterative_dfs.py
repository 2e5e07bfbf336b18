"""Nodes record an op name; one backward method dispatches on it; the topological order comes from an iterative DFS with an explicit stack."""

from __future__ import annotations

import math


class Value:
    def __init__(self, data, children=(), op="", k=None):
        self.data = float(data)
        self.grad = 0.0
        self.children, self.op, self.k = children, op, k

    def _w(self, x):
        return x if isinstance(x, Value) else Value(x)

    def __add__(self, o):
        o = self._w(o)
        return Value(self.data + o.data, (self, o), "add")

    def __radd__(self, o):
        return self._w(o) + self

    def __sub__(self, o):
        o = self._w(o)
        return Value(self.data - o.data, (self, o), "sub")

    def __rsub__(self, o):
        return self._w(o) - self

    def __mul__(self, o):
        o = self._w(o)
        return Value(self.data * o.data, (self, o), "mul")

    def __rmul__(self, o):
        return self._w(o) * self

    def __truediv__(self, o):
        o = self._w(o)
        return Value(self.data / o.data, (self, o), "div")

    def __rtruediv__(self, o):
        return self._w(o) / self

    def __pow__(self, k):
        return Value(self.data ** k, (self,), "pow", k)

    def exp(self):
        return Value(math.exp(self.data), (self,), "exp")

    def log(self):
        return Value(math.log(self.data), (self,), "log")

    def tanh(self):
        return Value(math.tanh(self.data), (self,), "tanh")

    def relu(self):
        return Value(self.data if self.data > 0 else 0.0, (self,), "relu")

    def sigmoid(self):
        x = self.data
        s = 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))
        return Value(s, (self,), "sigmoid")

    def _push(self):
        g, op = self.grad, self.op
        if op in ("add", "sub", "mul", "div"):
            a, b = self.children
            if op == "add":
                a.grad += g
                b.grad += g
            elif op == "sub":
                a.grad += g
                b.grad += -g
            elif op == "mul":
                a.grad += g * b.data
                b.grad += g * a.data
            else:
                a.grad += g / b.data
                b.grad += -g * a.data / b.data ** 2
        elif op:
            (a,) = self.children
            local = {"pow": lambda: self.k * a.data ** (self.k - 1), "exp": lambda: self.data,
                     "log": lambda: 1 / a.data, "tanh": lambda: 1 - self.data ** 2,
                     "relu": lambda: float(a.data > 0),
                     "sigmoid": lambda: self.data * (1 - self.data)}[op]()
            a.grad += g * local

    def backward(self):
        order, done, stack = [], set(), [(self, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
                continue
            if id(node) in done:
                continue
            done.add(id(node))
            stack.append((node, True))
            for c in node.children:
                if id(c) not in done:
                    stack.append((c, False))
        self.grad = 1.0
        for node in reversed(order):
            node._push()

"""Correct variant: a global creation number per node (a node is always made after its inputs), local derivatives stored as numbers, backward over the reachable nodes by decreasing number; sigmoid from tanh."""
from __future__ import annotations
import itertools
import math

_counter = itertools.count()


class Value:
    def __init__(self, data, _parents=(), _rule=None):
        self.data = float(data)
        self.grad = 0.0
        self._parents = _parents
        self._rule = _rule  # local derivatives, one per parent
        self._n = next(_counter)

    @staticmethod
    def _v(x):
        return x if isinstance(x, Value) else Value(x)

    def __add__(self, o):
        o = self._v(o); return Value(self.data + o.data, (self, o), (1.0, 1.0))
    __radd__ = __add__
    def __sub__(self, o):
        o = self._v(o); return Value(self.data - o.data, (self, o), (1.0, -1.0))
    def __rsub__(self, o):
        return self._v(o) - self
    def __mul__(self, o):
        o = self._v(o); return Value(self.data * o.data, (self, o), (o.data, self.data))
    __rmul__ = __mul__
    def __truediv__(self, o):
        o = self._v(o); return Value(self.data / o.data, (self, o), (1 / o.data, -self.data / o.data ** 2))
    def __rtruediv__(self, o):
        return self._v(o) / self
    def __pow__(self, k):
        return Value(self.data ** k, (self,), (k * self.data ** (k - 1),))
    def exp(self):
        e = math.exp(self.data); return Value(e, (self,), (e,))
    def log(self):
        return Value(math.log(self.data), (self,), (1 / self.data,))
    def tanh(self):
        t = math.tanh(self.data); return Value(t, (self,), (1 - t * t,))
    def relu(self):
        return Value(self.data if self.data > 0 else 0.0, (self,), (1.0 if self.data > 0 else 0.0,))
    def sigmoid(self):
        s = 0.5 * (1 + math.tanh(self.data / 2)); return Value(s, (self,), (s * (1 - s),))

    def backward(self):
        reach, stack = {}, [self]
        while stack:
            n = stack.pop()
            if n._n not in reach:
                reach[n._n] = n
                stack.extend(n._parents)
        self.grad = 1.0
        for k in sorted(reach, reverse=True):
            n = reach[k]
            for p, d in zip(n._parents, n._rule or ()):
                p.grad += d * n.grad

"""A topological sort with mutable default arguments, build_topo(v, visited=set(), topo=[]):
Python creates those defaults once, so every backward() call appends to the same list. On a
first graph the result is right; in a training loop (the same leaves, grads reset to 0, a new
graph) the old graph's nodes are still in the list, their local backward functions run
again, and their gradients reach the leaves a second time.

Fix: build a fresh order inside each backward() call (visited = set(); topo = [] in its
body), or pass them explicitly from backward()."""

from solutions.autograd.engine import *  # noqa: F401,F403 (the rest is correct)
from solutions.autograd.engine import Value as _Value


def build_topo(v, visited=set(), topo=[]):  # noqa: B006 (the mistake)
    if v not in visited:
        visited.add(v)
        for child in v._prev:
            build_topo(child, visited, topo)
        topo.append(v)
    return topo


class Value(_Value):
    def backward(self):
        order = build_topo(self)
        self.grad = 1.0
        for node in reversed(order):
            node._backward()

"""Backward in the order nodes are first reached instead of topological order: walking from
the output breadth-first (inputs in the order they were inserted) and calling each node's
local backward as soon as it is dequeued lets a node push its gradient to its inputs before
all of its users have pushed theirs to it. In out = b + c with c = b * 3, b is dequeued before
c, so x receives only the part of b's gradient that came directly from out. Build a
topological order (post-order DFS) first and run the local backwards in reverse of it."""

from collections import deque

from solutions.autograd.engine import *  # noqa: F401,F403 (the rest is correct)
from solutions.autograd.engine import Value as _Correct


class Value(_Correct):
    def backward(self):
        self.grad = 1.0
        queue, seen = deque([self]), {id(self)}
        while queue:
            node = queue.popleft()
            node._backward()
            for child in node._prev:
                if id(child) not in seen:
                    seen.add(id(child))
                    queue.append(child)

"""A shortcut in __radd__: `0 + v` (the first step of sum(values)) returns v itself instead of
a new Value. The two nodes merge, so in y = sum([a]); out = y * a the merged node's .grad is
2a where y's is a: every operator must return a new node, also when the number is 0."""

from solutions.autograd.engine import *  # noqa: F401,F403 (the rest is correct)
from solutions.autograd.engine import Value as _Correct


class Value(_Correct):
    def __radd__(self, other):
        return self if other == 0 else self + other

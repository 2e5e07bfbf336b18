"""MQACache.update returns the list [keys, values] instead of the tuple (keys, values) that the
contract promises: unpacking works, but code that checks
isinstance(..., tuple) or compares the result with a tuple sees something else.

Fix: return keys, values."""

from solutions.inference.mqa import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.mqa import MQACache as _Correct


class MQACache(_Correct):
    def update(self, k, v):
        return list(super().update(k, v))  # wrong: a list, not the tuple (keys, values)

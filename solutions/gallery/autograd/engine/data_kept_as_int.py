"""Value stores `data` as given: Value(2).data is the int 2, and 3 * Value(2) has int data 6.
The contract says .data is a float; int data leaks into code that formats, divides or
serialises it (and a bool or numpy scalar would slip through the same way).

Fix: self.data = float(data) in __init__."""

from solutions.autograd.engine import *  # noqa: F401,F403 (the rest is correct)
from solutions.autograd.engine import Value as _Correct


class Value(_Correct):
    def __init__(self, data, _children=(), _op=""):
        super().__init__(data, _children, _op)
        self.data = data

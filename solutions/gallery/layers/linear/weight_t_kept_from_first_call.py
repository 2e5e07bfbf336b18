"""forward keeps `self.weight.T` on the module at its first call and reuses it after: a first
call under torch.no_grad() (an evaluation before training) keeps a view cut from the graph, so
weight.grad stays None for good; and .double() / .to() swap the parameter's data, leaving the
kept view on the old float32 storage.

Fix: read self.weight inside forward at every call (x @ self.weight.T is a free view)."""

from solutions.layers import linear as _reference
from solutions.layers.linear import *  # noqa: F401,F403 (the rest is correct)


class Linear(_reference.Linear):
    def forward(self, x):
        if not hasattr(self, "_weight_t"):
            self._weight_t = self.weight.T
        y = x @ self._weight_t
        return y + self.bias if self.bias is not None else y

"""forward has its own bias=False path that flattens the leading dims with
x.view(-1, in_features): a view needs x laid out row by row, so a transposed or sliced x
raises with bias=False only (the bias=True path, x @ weight.T + bias, takes it as it is),
although any x of shape (..., in_features) is allowed.

Fix: x @ self.weight.T handles the leading dims itself in both paths (or reshape, not view)."""

from solutions.layers.linear import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.linear import Linear as _Correct


class Linear(_Correct):
    def forward(self, x):
        if self.bias is None:
            flat = x.view(-1, self.in_features)  # wrong: fails on a non-contiguous x
            return (flat @ self.weight.T).view(*x.shape[:-1], self.out_features)
        return x @ self.weight.T + self.bias

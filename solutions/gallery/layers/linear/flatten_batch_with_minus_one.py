"""forward flattens the leading dims with x.reshape(-1, in_features) and restores them with
y.reshape(*lead, -1): with a size-0 leading dim the -1 is ambiguous and reshape raises,
although any number of leading dims, of any size, is allowed.

Fix: x @ self.weight.T handles the leading dims itself (or restore with out_features)."""

from solutions.layers.linear import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.linear import Linear as _Correct


class Linear(_Correct):
    def forward(self, x):
        lead = x.shape[:-1]
        y = x.reshape(-1, self.in_features) @ self.weight.T
        if self.bias is not None:
            y = y + self.bias
        return y.reshape(*lead, -1)

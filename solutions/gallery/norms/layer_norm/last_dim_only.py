"""Tuple normalized_shape ignored: normalising over the last dim only. nn.LayerNorm((3, 4))
normalises each sample over its last TWO dims together (12 values, one mean, one variance).
Fix: flatten the trailing len(normalized_shape) dims into one (or reduce over all of them)."""

from solutions.norms.layer_norm import LayerNorm as _Correct
from solutions.norms.layer_norm import LayerNormFunction
from solutions.norms.layer_norm import *  # noqa: F401,F403 (the rest is correct)


class LayerNorm(_Correct):
    def forward(self, x):
        y = LayerNormFunction.apply(x, None, None, self.eps)  # last dim only
        if self.weight is not None:
            y = y * self.weight
        return y + self.bias if self.bias is not None else y

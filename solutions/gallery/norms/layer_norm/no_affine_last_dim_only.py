"""Without weight (elementwise_affine=False) the module takes a shortcut, "nothing to reshape":
LayerNormFunction.apply(x, None, None, eps) on x as it is. The Function normalises over the
LAST dim only, so for a tuple normalized_shape such as (2, 4) each group of 4 values gets its
own statistics instead of all 8 sharing one mean and variance.

Fix: flatten the normalised dims into one on every path (x.reshape(*lead, D)), affine or
not, and reshape the result back."""

from solutions.norms.layer_norm import *  # noqa: F401,F403 (the rest is correct)
from solutions.norms.layer_norm import LayerNorm as _Ref, LayerNormFunction


class LayerNorm(_Ref):
    def forward(self, x):
        if self.weight is None:  # no affine part: "nothing to flatten"
            return LayerNormFunction.apply(x, None, None, self.eps)
        return super().forward(x)

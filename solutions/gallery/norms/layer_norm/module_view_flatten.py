"""The module flattens the normalised dims with .view: x.view(*lead, D) works on a
contiguous x (and on any x with one normalised dim, where the view keeps the shape), but
raises for a strided x, e.g. one behind a transpose, as soon as two or more trailing dims
must be merged.

Fix: x.reshape(*lead, D) (it copies only when it must)."""

import math

from solutions.norms.layer_norm import *  # noqa: F401,F403 (the rest is correct)
from solutions.norms.layer_norm import LayerNorm as _Ref, LayerNormFunction


class LayerNorm(_Ref):
    def forward(self, x):
        k = len(self.normalized_shape)
        d = math.prod(self.normalized_shape)
        flat = x.view(*x.shape[: x.dim() - k], d)
        w = self.weight.view(-1) if self.weight is not None else None
        b = self.bias.view(-1) if self.bias is not None else None
        return LayerNormFunction.apply(flat, w, b, self.eps).view(x.shape)

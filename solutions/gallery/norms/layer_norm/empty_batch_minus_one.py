"""Empty batch breaks the flattening reshape: forward flattens the normalised dims with
x.reshape(*leading, -1). With a leading dim of 0 there are no elements, so -1 can be
anything and torch raises, although nn.LayerNorm returns an empty output.

Fix: spell out the flattened size, math.prod(normalized_shape)."""

from solutions.norms.layer_norm import *  # noqa: F401,F403 (the rest is correct)
from solutions.norms.layer_norm import LayerNorm as _Ref, LayerNormFunction


class LayerNorm(_Ref):
    def forward(self, x):
        k = len(self.normalized_shape)
        flat = x.reshape(*x.shape[: x.dim() - k], -1)
        w = self.weight.reshape(-1) if self.weight is not None else None
        b = self.bias.reshape(-1) if self.bias is not None else None
        return LayerNormFunction.apply(flat, w, b, self.eps).reshape(x.shape)

"""eps made a tensor with torch.tensor(self.eps): that is float32 (the default dtype), so a
float64 module adds eps rounded to float32 (0.1 becomes 0.100000001...). At a small variance
the float64 output is off by ~1e-9 relative: no longer computed in float64 throughout.

Fix: add the Python float (var + self.eps), or make the tensor with dtype=x.dtype."""

import torch

from solutions.norms.layer_norm import *  # noqa: F401,F403 (the rest is correct)
from solutions.norms.layer_norm import LayerNorm as _Ref


class LayerNorm(_Ref):
    def forward(self, x):
        dims = tuple(range(-len(self.normalized_shape), 0))
        mean = x.mean(dims, keepdim=True)
        var = ((x - mean) ** 2).mean(dims, keepdim=True)
        y = (x - mean) * torch.rsqrt(var + torch.tensor(self.eps))
        if self.weight is not None:
            y = y * self.weight
        if self.bias is not None:
            y = y + self.bias
        return y

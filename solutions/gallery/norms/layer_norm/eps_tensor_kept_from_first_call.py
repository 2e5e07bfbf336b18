"""eps kept as a tensor made at the first call: forward builds
self._eps = torch.tensor(self.eps, dtype=x.dtype) once and reuses it. After the module is
called in float32 and then moved with .double(), the float64 path adds a float32 eps (0.1
rounded to 0.100000001...), so at a small variance the output is off by ~1e-9 relative.

Fix: add the Python float (var + self.eps) in every forward; keep no tensor from a call."""

import torch

from solutions.norms.layer_norm import *  # noqa: F401,F403 (the rest is correct)
from solutions.norms.layer_norm import LayerNorm as _Ref


class LayerNorm(_Ref):
    def forward(self, x):
        if not hasattr(self, "_eps"):
            self._eps = torch.tensor(self.eps, dtype=x.dtype, device=x.device)
        dims = tuple(range(-len(self.normalized_shape), 0))
        mean = x.mean(dims, keepdim=True)
        var = ((x - mean) ** 2).mean(dims, keepdim=True)
        y = (x - mean) * torch.rsqrt(var + self._eps)
        if self.weight is not None:
            y = y * self.weight
        if self.bias is not None:
            y = y + self.bias
        return y

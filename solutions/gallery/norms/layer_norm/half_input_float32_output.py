"""A half-precision detour left float32: LayerNorm.forward computes float16/bfloat16 x
in float32 (LayerNormFunction takes float32/float64) and never casts the result back, so a
.half() module returns float32 for float16 x; the output keeps x's dtype."""

import math

import torch

from solutions.norms.layer_norm import *  # noqa: F401,F403 (the rest is correct)
from solutions.norms.layer_norm import LayerNorm as _LayerNorm
from solutions.norms.layer_norm import LayerNormFunction


class LayerNorm(_LayerNorm):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        k = len(self.normalized_shape)
        d = math.prod(self.normalized_shape)
        flat = x.reshape(*x.shape[: x.dim() - k], d)
        w = self.weight.reshape(-1) if self.weight is not None else None
        b = self.bias.reshape(-1) if self.bias is not None else None
        if flat.dtype in (torch.float16, torch.bfloat16):  # the Function takes float32/float64
            flat = flat.float()
            w = w.float() if w is not None else None
            b = b.float() if b is not None else None
        return LayerNormFunction.apply(flat, w, b, self.eps).reshape(x.shape)  # wrong: stays float32

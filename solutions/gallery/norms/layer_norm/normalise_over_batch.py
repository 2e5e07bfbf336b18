"""Normalising over the batch: mean and variance taken over dim 0 (per feature, across the
samples), which is BatchNorm's rule. LayerNorm normalises each sample by its own statistics
over the trailing normalized_shape dims, so one sample's output never depends on the others
(and batch size 1 works). Fix: reduce over the last len(normalized_shape) dims, keepdim=True."""

import torch

from solutions.norms.layer_norm import LayerNorm as _Correct
from solutions.norms.layer_norm import *  # noqa: F401,F403 (the rest is correct)


class LayerNorm(_Correct):
    def forward(self, x):
        mean = x.mean(dim=0, keepdim=True)
        var = x.var(dim=0, keepdim=True, correction=0)
        y = (x - mean) * torch.rsqrt(var + self.eps)
        if self.weight is not None:
            y = y * self.weight
        return y + self.bias if self.bias is not None else y

"""eps copied into another attribute at construction (`self._eps = eps`) and only that one read
in forward: `norm.eps = 1e-5` set on a built model (as with nn.RMSNorm, whose forward reads
self.eps) changes nothing.

Fix: keep eps in self.eps and read it at every forward."""

import torch

from solutions.norms.rms_norm import *  # noqa: F401,F403 (the rest is correct)
from solutions.norms.rms_norm import RMSNorm as _Ref


class RMSNorm(_Ref):
    def __init__(self, dim, eps=1e-6):
        super().__init__(dim, eps)
        self._eps = eps

    def forward(self, x):
        mean_square = x.pow(2).mean(dim=-1, keepdim=True)
        return x * torch.rsqrt(mean_square + self._eps) * self.weight

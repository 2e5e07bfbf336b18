"""A hidden floor on eps "against division by zero": forward adds max(self.eps, 1e-12), so
eps=0.0 is not used as given. Invisible at ordinary magnitudes, but for x ~ 1e-10 (mean square
~1e-20, a normal float32) the floor dominates and the output is about 1e4 times smaller than
nn.RMSNorm(dim, eps=0.0)'s.

Fix: add self.eps exactly as given."""

import torch

from solutions.norms.rms_norm import *  # noqa: F401,F403 (the rest is correct)
from solutions.norms.rms_norm import RMSNorm as _Ref


class RMSNorm(_Ref):
    def forward(self, x):
        mean_square = x.pow(2).mean(dim=-1, keepdim=True)
        return x * torch.rsqrt(mean_square + max(self.eps, 1e-12)) * self.weight

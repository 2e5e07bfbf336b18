"""Adds eps as a tensor made without device=: torch.full((1,), eps, dtype=x.dtype) lives on the
CPU, so the module fails as soon as it and its input move to a GPU. Add the Python float
(mean_square + self.eps) or build the helper on x.device."""

import torch

from solutions.norms.rms_norm import *  # noqa: F401,F403 (the rest is correct)
from solutions.norms.rms_norm import RMSNorm as _Ref


class RMSNorm(_Ref):
    def forward(self, x):
        mean_square = x.pow(2).mean(dim=-1, keepdim=True)
        eps = torch.full((1,), self.eps, dtype=x.dtype)  # wrong: on the CPU whatever x's device
        return x * torch.rsqrt(mean_square + eps) * self.weight

"""eps as a tensor built with device= but no dtype=: torch.tensor([self.eps], device=x.device)
follows torch's default dtype. Fine while the default is float32, but under
torch.set_default_dtype(torch.float64) this 1-element float64 tensor promotes a float32 module's
output to float64.

Fix: add the Python float self.eps (or build the tensor with dtype=x.dtype)."""

import torch

from solutions.norms.rms_norm import *  # noqa: F401,F403 (the rest is correct)
from solutions.norms.rms_norm import RMSNorm as _Ref


class RMSNorm(_Ref):
    def forward(self, x):
        mean_square = x.pow(2).mean(dim=-1, keepdim=True)
        eps = torch.tensor([self.eps], device=x.device)
        return x * torch.rsqrt(mean_square + eps) * self.weight

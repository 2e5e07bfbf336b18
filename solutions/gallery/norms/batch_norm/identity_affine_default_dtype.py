"""Identity affine in the default dtype: with affine=False the forward substitutes
weight = torch.ones(C, device=x.device) and bias = torch.zeros(C, device=x.device) so one formula
covers both cases, but without dtype=x.dtype. Under torch.set_default_dtype(torch.float64)
those stand-ins are float64 and promote a float32 module's output to float64.

Fix: skip the affine step when affine=False (or build the stand-ins with x.new_ones(C))."""

import torch

from solutions.norms.batch_norm import *  # noqa: F401,F403 (the rest is correct)
from solutions.norms.batch_norm import BatchNorm1d as _Ref


class BatchNorm1d(_Ref):
    def forward(self, x):
        if self.affine:
            return super().forward(x)
        self.affine = True
        c = x.shape[1]
        self.weight, self.bias = torch.ones(c, device=x.device), torch.zeros(c, device=x.device)
        try:
            return super().forward(x)
        finally:
            self.affine, self.weight, self.bias = False, None, None

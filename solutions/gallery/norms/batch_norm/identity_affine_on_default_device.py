"""Identity affine on the default device: with affine=False the forward substitutes
weight = torch.ones(C) and bias = torch.zeros(C) so one formula covers both cases, but
without device=x.device (nor dtype). On a GPU input those CPU tensors break the arithmetic.

Fix: skip the affine step when affine=False (or build the stand-ins with x.new_ones(C))."""

import torch

from solutions.norms.batch_norm import *  # noqa: F401,F403 (the rest is correct)
from solutions.norms.batch_norm import BatchNorm1d as _Ref


class BatchNorm1d(_Ref):
    def forward(self, x):
        if self.affine:
            return super().forward(x)
        self.affine = True
        self.weight, self.bias = torch.ones(x.shape[1]), torch.zeros(x.shape[1])
        try:
            return super().forward(x)
        finally:
            self.affine, self.weight, self.bias = False, None, None

"""Options folded at construction: __init__ keeps `self.decay = 1 - momentum` and
`self.eps_sq = eps` and forward reads only those, so `bn.momentum = 0.01` or `bn.eps = 1e-3`
set on a built model (as fine-tuning code does with nn.BatchNorm1d) changes nothing: the
running statistics keep the old momentum and the output the old eps.

Fix: read self.momentum and self.eps inside forward, at every call."""

import torch

from solutions.norms.batch_norm import *  # noqa: F401,F403 (the rest is correct)
from solutions.norms.batch_norm import BatchNorm1d as _Ref


class BatchNorm1d(_Ref):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__(num_features, eps, momentum, affine, track_running_stats)
        self.decay, self.eps_sq = 1 - momentum, eps

    def forward(self, x):
        momentum, eps = self.momentum, self.eps
        self.momentum, self.eps = 1 - self.decay, self.eps_sq  # what __init__ saw
        try:
            return super().forward(x)
        finally:
            self.momentum, self.eps = momentum, eps

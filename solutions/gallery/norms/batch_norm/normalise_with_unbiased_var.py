"""Normalising with the unbiased variance: x.var(dims) defaults to correction=1 (divide by
n - 1), and that variance is used both to normalise the batch and for running_var. The
running update is right, but training-mode outputs are too small by sqrt((n - 1)/n), which
is large for small batches.

Fix: normalise with the biased variance (correction=0); only the running_var update uses
the unbiased one."""

import torch

from solutions.norms.batch_norm import *  # noqa: F401,F403 (the rest is correct)
from solutions.norms.batch_norm import BatchNorm1d as _Ref


class BatchNorm1d(_Ref):
    def forward(self, x):
        if not self.training and self.track_running_stats:
            return super().forward(x)
        if self.training and x.numel() // x.shape[1] == 1:
            raise ValueError("expected more than 1 value per channel when training (n = 1)")
        dims = (0,) if x.dim() == 2 else (0, 2)
        shape = (1, -1) if x.dim() == 2 else (1, -1, 1)
        mean, var = x.mean(dim=dims), x.var(dim=dims)
        if self.training and self.track_running_stats:
            with torch.no_grad():
                m = self.momentum
                self.running_mean.mul_(1 - m).add_(m * mean)
                self.running_var.mul_(1 - m).add_(m * var)
                self.num_batches_tracked += 1
        y = (x - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + self.eps)
        return y * self.weight.reshape(shape) + self.bias.reshape(shape) if self.affine else y

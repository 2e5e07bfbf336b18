"""Batch variance as E[x^2] - E[x]^2: one pass over the batch, but catastrophic
cancellation. For a channel with mean 1000 and spread 1, x^2 is ~1e6 and float32 keeps ~7
digits, so the variance (and the running_var built from it) loses every digit. nn.BatchNorm1d
stays accurate there.

Fix: var = ((x - mean) ** 2).mean(dims) (or x.var(dims, correction=0))."""

import torch

from solutions.norms.batch_norm import *  # noqa: F401,F403 (the rest is correct)
from solutions.norms.batch_norm import BatchNorm1d as _Ref


class BatchNorm1d(_Ref):
    def forward(self, x):
        if not self.training and self.track_running_stats:
            return super().forward(x)
        dims = (0,) if x.dim() == 2 else (0, 2)
        shape = (1, -1) if x.dim() == 2 else (1, -1, 1)
        mean = x.mean(dim=dims)
        var = (x * x).mean(dim=dims) - mean * mean
        if self.training and self.track_running_stats:
            n = x.numel() // x.shape[1]
            with torch.no_grad():
                m = self.momentum
                self.running_mean.mul_(1 - m).add_(m * mean)
                self.running_var.mul_(1 - m).add_(m * var * n / (n - 1))
                self.num_batches_tracked += 1
        y = (x - mean.reshape(shape)) * torch.rsqrt(var.clamp_min(0).reshape(shape) + self.eps)
        if self.affine:
            y = y * self.weight.reshape(shape) + self.bias.reshape(shape)
        return y

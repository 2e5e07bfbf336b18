"""A single value per channel is not refused: with x of (1, C) in training mode the batch
variance is 0 and the unbiased one divides by n - 1 = 0, so running_var becomes inf (or NaN)
and poisons every later eval() output. nn.BatchNorm1d raises ValueError instead, and so must
this module (before touching any state).

Fix: if self.training and x.numel() // x.shape[1] == 1: raise ValueError(...)."""

import torch

from solutions.norms.batch_norm import *  # noqa: F401,F403 (the rest is correct)
from solutions.norms.batch_norm import BatchNorm1d as _Ref


class BatchNorm1d(_Ref):
    def forward(self, x):
        if not (self.training and x.numel() // x.shape[1] == 1):
            return super().forward(x)
        dims = (0,) if x.dim() == 2 else (0, 2)
        shape = (1, -1) if x.dim() == 2 else (1, -1, 1)
        mean, var = x.mean(dim=dims), x.var(dim=dims, correction=0)
        if self.track_running_stats:
            with torch.no_grad():
                m = self.momentum
                self.running_mean.mul_(1 - m).add_(m * mean)
                self.running_var.mul_(1 - m).add_(m * var / 0.0)
                self.num_batches_tracked += 1
        y = (x - mean.reshape(shape)) * torch.rsqrt(var.reshape(shape) + self.eps)
        return y * self.weight.reshape(shape) + self.bias.reshape(shape) if self.affine else y

"""n = 1 refused only where the running update divides by n - 1: the check sits inside the
track_running_stats branch, so BatchNorm1d(C, track_running_stats=False) in training mode
accepts x of (1, C). Its batch variance is 0 and every output is (x - x) / sqrt(eps) = 0
(then the bias): a meaningless result, where nn.BatchNorm1d raises ValueError.

Fix: check n (N, or N * L) first thing in training mode, before any statistics and whatever
track_running_stats says."""

import torch

from solutions.norms.batch_norm import *  # noqa: F401,F403 (the rest is correct)
from solutions.norms.batch_norm import BatchNorm1d as _Ref


class BatchNorm1d(_Ref):
    def forward(self, x):
        dims = (0,) if x.dim() == 2 else (0, 2)
        shape = (1, -1) if x.dim() == 2 else (1, -1, 1)
        n = x.numel() // x.shape[1]
        if self.training or not self.track_running_stats:
            mean = x.mean(dim=dims)
            var = x.var(dim=dims, correction=0)
            if self.training and self.track_running_stats:
                if n == 1:  # the unbiased update divides by n - 1
                    raise ValueError(f"expected more than 1 value per channel when training, got n = {n}")
                with torch.no_grad():
                    m = self.momentum
                    if n > 0:
                        self.running_mean.mul_(1 - m).add_(m * mean)
                        self.running_var.mul_(1 - m).add_(m * var * n / (n - 1))
                    self.num_batches_tracked += 1
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean.reshape(shape)) * torch.rsqrt(var.reshape(shape) + self.eps)
        if self.affine:
            y = y * self.weight.reshape(shape) + self.bias.reshape(shape)
        return y

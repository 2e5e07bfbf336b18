"""Statistics over dim 0 only for (N, C, L) input: each (channel, position) pair gets its own
mean and variance. BatchNorm1d pools every value of a channel, over the batch AND the length
(dims 0 and 2), so a channel has one mean and one variance, matching its one running_mean and
running_var entry. Fix: reduce over (0, 2) for 3-D input (and count n = N * L)."""

import torch

from solutions.norms.batch_norm import BatchNorm1d as _Correct
from solutions.norms.batch_norm import *  # noqa: F401,F403 (the rest is correct)


class BatchNorm1d(_Correct):
    def forward(self, x):
        shape = (1, -1) if x.dim() == 2 else (1, -1, 1)
        if self.training or not self.track_running_stats:
            mean = x.mean(dim=0, keepdim=True)
            var = x.var(dim=0, keepdim=True, correction=0)
            if self.training and self.track_running_stats:
                n = x.shape[0]
                with torch.no_grad():
                    m = self.momentum
                    batch_mean = mean.reshape(x.shape[1], -1).mean(-1)
                    batch_var = var.reshape(x.shape[1], -1).mean(-1) * n / (n - 1)
                    self.running_mean.mul_(1 - m).add_(m * batch_mean)
                    self.running_var.mul_(1 - m).add_(m * batch_var)
                    self.num_batches_tracked += 1
        else:
            mean, var = self.running_mean.reshape(shape), self.running_var.reshape(shape)
        y = (x - mean) * torch.rsqrt(var + self.eps)
        if self.affine:
            y = y * self.weight.reshape(shape) + self.bias.reshape(shape)
        return y

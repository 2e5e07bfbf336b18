"""running_var updated with the biased variance. The normalisation in train mode uses the
biased batch variance (divide by n), but PyTorch updates running_var with the UNBIASED one
(divide by n - 1): it is an estimate of the population variance for use at eval time. With
small batches the difference is large (n = 2: a factor of two). Fix: multiply the biased
variance by n / (n - 1) (n = N, or N * L for 3-D input) before the running update, or use
x.var(dims, correction=1)."""

import torch

from solutions.norms.batch_norm import BatchNorm1d as _Correct
from solutions.norms.batch_norm import *  # noqa: F401,F403 (the rest is correct)


class BatchNorm1d(_Correct):
    def forward(self, x):
        dims = (0,) if x.dim() == 2 else (0, 2)
        shape = (1, -1) if x.dim() == 2 else (1, -1, 1)
        if self.training or not self.track_running_stats:
            mean, var = x.mean(dim=dims), x.var(dim=dims, correction=0)
            if self.training and self.track_running_stats:
                with torch.no_grad():
                    m = self.momentum
                    self.running_mean.mul_(1 - m).add_(m * mean)
                    self.running_var.mul_(1 - m).add_(m * var)  # biased
                    self.num_batches_tracked += 1
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean.reshape(shape)) * torch.rsqrt(var.reshape(shape) + self.eps)
        if self.affine:
            y = y * self.weight.reshape(shape) + self.bias.reshape(shape)
        return y

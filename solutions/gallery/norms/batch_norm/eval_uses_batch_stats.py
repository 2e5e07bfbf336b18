"""eval() mode still using the batch statistics. At inference the running statistics must
replace the batch's: a prediction must not depend on which other samples share the batch,
and a batch of one has no variance at all. Fix: branch on self.training; in eval mode (with
track_running_stats) normalise with running_mean and running_var and update nothing."""

import torch

from solutions.norms.batch_norm import BatchNorm1d as _Correct
from solutions.norms.batch_norm import *  # noqa: F401,F403 (the rest is correct)


class BatchNorm1d(_Correct):
    def forward(self, x):
        dims = (0,) if x.dim() == 2 else (0, 2)
        shape = (1, -1) if x.dim() == 2 else (1, -1, 1)
        mean, var = x.mean(dim=dims), x.var(dim=dims, correction=0)  # whatever the mode
        if self.training and self.track_running_stats:
            n = x.numel() // x.shape[1]
            with torch.no_grad():
                m = self.momentum
                self.running_mean.mul_(1 - m).add_(m * mean)
                self.running_var.mul_(1 - m).add_(m * var * n / (n - 1))
                self.num_batches_tracked += 1
        y = (x - mean.reshape(shape)) * torch.rsqrt(var.reshape(shape) + self.eps)
        if self.affine:
            y = y * self.weight.reshape(shape) + self.bias.reshape(shape)
        return y

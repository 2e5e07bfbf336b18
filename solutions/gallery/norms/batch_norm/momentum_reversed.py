"""Momentum reversed: running = momentum * running + (1 - momentum) * batch_stat. That is
Keras' convention (its momentum=0.99 keeps 99% of the old value). PyTorch's momentum is the
weight of the NEW batch: running = (1 - momentum) * running + momentum * batch_stat, so the
default 0.1 moves the running statistics 10% of the way per step."""

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
                n = x.numel() // x.shape[1]
                with torch.no_grad():
                    m = self.momentum
                    self.running_mean.mul_(m).add_((1 - m) * mean)
                    self.running_var.mul_(m).add_((1 - m) * var * n / (n - 1))
                    self.num_batches_tracked += 1
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean.reshape(shape)) * torch.rsqrt(var.reshape(shape) + self.eps)
        if self.affine:
            y = y * self.weight.reshape(shape) + self.bias.reshape(shape)
        return y

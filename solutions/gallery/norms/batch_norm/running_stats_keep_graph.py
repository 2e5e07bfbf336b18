"""Running statistics updated with autograd on: self.running_mean = (1 - m) * running_mean +
m * mean, where mean is part of this step's graph. The buffer then holds a graph node, each
step chains onto the previous one (memory grows without bound) and a later backward can hit
"Trying to backward through the graph a second time". Fix: update under torch.no_grad(), or
from mean.detach() and var.detach()."""

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
                m = self.momentum
                self.running_mean = (1 - m) * self.running_mean + m * mean
                self.running_var = (1 - m) * self.running_var + m * var * n / (n - 1)
                self.num_batches_tracked += 1
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean.reshape(shape)) * torch.rsqrt(var.reshape(shape) + self.eps)
        if self.affine:
            y = y * self.weight.reshape(shape) + self.bias.reshape(shape)
        return y

"""Statistics in float32 whatever the dtype: the batch mean and variance are computed on
x.float() (the mixed-precision habit "norm statistics in float32") and cast back. For a
.double()'d module the outputs and running statistics lose every digit after the 7th, which
the contract rules out (float64 is computed in float64).

Fix: compute in x's dtype (upcasting half inputs is fine; downcasting float64 is not)."""

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
        xf = x.float()
        mean, var = xf.mean(dim=dims).to(x.dtype), xf.var(dim=dims, correction=0).to(x.dtype)
        if self.training and self.track_running_stats:
            n = x.numel() // x.shape[1]
            with torch.no_grad():
                m = self.momentum
                self.running_mean.mul_(1 - m).add_(m * mean)
                self.running_var.mul_(1 - m).add_(m * var * n / (n - 1))
                self.num_batches_tracked += 1
        y = (x - mean.reshape(shape)) * torch.rsqrt(var.reshape(shape) + self.eps)
        return y * self.weight.reshape(shape) + self.bias.reshape(shape) if self.affine else y

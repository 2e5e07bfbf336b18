"""eps kept on the module as a tensor at the FIRST call (a plain attribute, in that call's
dtype): after a float32 call and .double() it is still float32, so float64 variances get eps
rounded to float32 (eps=0.1 is off by ~1.5e-9) and the output is no longer float64-accurate.

Fix: add the float self.eps itself at every call (or keep it in a buffer, which .double() converts)."""

import torch
import torch.nn as nn


class BatchNorm1d(nn.Module):
    """nn.BatchNorm1d's contract: batch statistics in train mode, running ones in eval."""

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1,
                 affine: bool = True, track_running_stats: bool = True):
        super().__init__()
        self.num_features, self.eps, self.momentum = num_features, eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        else:
            self.weight = self.bias = None
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (N, C) or (N, C, L) -> same shape."""
        if x.dim() not in (2, 3):
            raise ValueError(f"expected 2D or 3D input, got {x.dim()}D")
        dims = (0,) if x.dim() == 2 else (0, 2)  # every axis but the channels
        shape = (1, -1) if x.dim() == 2 else (1, -1, 1)  # broadcast a (C,) vector against x
        if self.training and x.numel() // x.shape[1] == 1:
            raise ValueError(f"expected more than 1 value per channel when training, got input of "
                             f"shape {tuple(x.shape)} (n = 1)")
        if self.training or not self.track_running_stats:
            mean = x.mean(dim=dims)
            var = x.var(dim=dims, correction=0)  # biased: normalise with it
            if self.training and self.track_running_stats:
                n = x.numel() // x.shape[1]
                with torch.no_grad():  # running stats are bookkeeping, not part of the graph
                    m = self.momentum
                    if n > 0:  # an empty batch has no statistics: keep the running ones
                        self.running_mean.mul_(1 - m).add_(m * mean)
                        self.running_var.mul_(1 - m).add_(m * var * n / (n - 1))  # unbiased
                    self.num_batches_tracked += 1
        else:
            mean, var = self.running_mean, self.running_var
        if getattr(self, '_eps_t', None) is None:
            self._eps_t = torch.tensor(self.eps, dtype=x.dtype, device=x.device)  # wrong: kept
        y = (x - mean.reshape(shape)) * torch.rsqrt(var.reshape(shape) + self._eps_t)
        if self.affine:
            y = y * self.weight.reshape(shape) + self.bias.reshape(shape)
        return y

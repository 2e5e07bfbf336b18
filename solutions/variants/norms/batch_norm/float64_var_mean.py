"""Correct variant: torch.var_mean over the non-channel dims, statistics accumulated in float64 and cast back, running stats updated with lerp_."""

import torch
import torch.nn as nn


class BatchNorm1d(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__()
        self.eps, self.momentum, self.affine, self.track_running_stats = eps, momentum, affine, track_running_stats
        self.weight = nn.Parameter(torch.ones(num_features)) if affine else None
        self.bias = nn.Parameter(torch.zeros(num_features)) if affine else None
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.zeros((), dtype=torch.int64))
        else:
            self.running_mean = self.running_var = self.num_batches_tracked = None

    def forward(self, x):
        dims = [d for d in range(x.dim()) if d != 1]
        view = [1, -1] + [1] * (x.dim() - 2)
        use_batch = self.training or not self.track_running_stats
        if use_batch:
            n = x.numel() // x.shape[1]
            if self.training and n == 1:
                raise ValueError(f"expected more than 1 value per channel when training, got n = {n}")
            var64, mean64 = torch.var_mean(x.to(torch.float64), dim=dims, correction=0)
            mean, var = mean64.to(x.dtype), var64.to(x.dtype)
            if self.training and self.track_running_stats:
                with torch.no_grad():
                    if n > 0:  # an empty batch leaves the running statistics alone
                        self.running_mean.lerp_(mean64.to(self.running_mean.dtype), self.momentum)
                        self.running_var.lerp_((var64 * n / (n - 1)).to(self.running_var.dtype), self.momentum)
                    self.num_batches_tracked.add_(1)
        else:
            mean, var = self.running_mean, self.running_var
        y = (x - mean.view(view)) / (var.view(view) + self.eps).sqrt()
        if self.affine:
            y = torch.addcmul(self.bias.view(view), y, self.weight.view(view))
        return y

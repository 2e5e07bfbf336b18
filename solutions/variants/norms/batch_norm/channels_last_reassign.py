"""Correct variant: moves channels last and flattens to (n, C), computes the statistics by sums, and reassigns the running buffers out of place from detached statistics."""

import torch
import torch.nn as nn


class BatchNorm1d(nn.Module):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__()
        self.eps, self.momentum = eps, momentum
        self.affine, self.track_running_stats = affine, track_running_stats
        if affine:
            self.weight = nn.Parameter(torch.ones(num_features))
            self.bias = nn.Parameter(torch.zeros(num_features))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features))
            self.register_buffer("running_var", torch.ones(num_features))
            self.register_buffer("num_batches_tracked", torch.tensor(0))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def forward(self, x):
        c = x.shape[1]
        flat = x.movedim(1, -1).reshape(-1, c)  # (n, C)
        n = flat.shape[0]
        if self.training or not self.track_running_stats:
            if self.training and n == 1:
                raise ValueError(f"need more than 1 value per channel in training, got n = {n}")
            mean = flat.sum(0) / n
            var = ((flat - mean) ** 2).sum(0) / n
            if self.training and self.track_running_stats:
                m = self.momentum
                if n:  # nothing to average in an empty batch
                    self.running_mean = (1 - m) * self.running_mean + m * mean.detach()
                    self.running_var = (1 - m) * self.running_var + m * var.detach() * (n / (n - 1))
                self.num_batches_tracked = self.num_batches_tracked + 1
        else:
            mean, var = self.running_mean, self.running_var
        y = (flat - mean) / torch.sqrt(var + self.eps)
        if self.affine:
            y = y * self.weight + self.bias
        return y.reshape(*x.shape[:1], *x.shape[2:], c).movedim(-1, 1)

"""Normalises with F.layer_norm on the channels moved to rows: (N, C, L) -> (C, N*L), one
layer norm per channel row gives the batch statistics. The values are right, but the kata is
to write the normalisation, and the layer-norm built-in does it (the other normalisation
built-ins are off limits too, as the stub says).

Fix: compute the per-channel mean and the biased variance yourself (x.mean(dims),
x.var(dims, correction=0)) and normalise with them."""

import torch
import torch.nn.functional as F

from solutions.norms.batch_norm import *  # noqa: F401,F403 (the rest is correct)
from solutions.norms.batch_norm import BatchNorm1d as _Reference


class BatchNorm1d(_Reference):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training and self.track_running_stats:
            return super().forward(x)
        with torch.no_grad():
            super().forward(x)  # the running statistics and the n = 1 rule, kept as they should be
        channels_first = x.movedim(1, 0)  # (C, N) or (C, N, L)
        rows = channels_first.reshape(x.shape[1], -1)
        y = F.layer_norm(rows, rows.shape[1:], eps=self.eps).reshape(channels_first.shape).movedim(0, 1)
        if self.affine:
            shape = (1, -1) if x.dim() == 2 else (1, -1, 1)
            y = y * self.weight.reshape(shape) + self.bias.reshape(shape)
        return y

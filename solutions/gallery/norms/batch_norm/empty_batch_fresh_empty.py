"""An empty-batch shortcut: for n = 0 the forward counts the step and returns
torch.empty(x.shape, device=x.device), "nothing to normalise". The state is right, but that
tensor is float32 for a float64 module and input, and cut from the graph
(y.sum().backward() raises).

Fix: no shortcut for the output: only the running-statistics update skips an empty batch."""

import torch

from solutions.norms.batch_norm import *  # noqa: F401,F403 (the rest is correct)
from solutions.norms.batch_norm import BatchNorm1d as _Ref


class BatchNorm1d(_Ref):
    def forward(self, x):
        if x.dim() in (2, 3) and x.numel() == 0:
            if self.training and self.track_running_stats:
                self.num_batches_tracked += 1
            return torch.empty(x.shape, device=x.device)
        return super().forward(x)

"""An empty batch refused: the training check reads `if n < 2: raise ValueError(...)`, so
x of (0, C) or (N, C, 0) (an empty last shard, a filtered-out batch) raises, where
nn.BatchNorm1d returns the empty output. Only n = 1 has no batch variance to refuse; n = 0
simply has nothing to average.

Fix: raise only for n == 1; for n == 0 return the (empty) output, keep running_mean and
running_var, and count the step."""

from solutions.norms.batch_norm import *  # noqa: F401,F403 (the rest is correct)
from solutions.norms.batch_norm import BatchNorm1d as _Ref


class BatchNorm1d(_Ref):
    def forward(self, x):
        n = x.numel() // x.shape[1]
        if self.training and n < 2:
            raise ValueError(f"expected more than 1 value per channel when training, got n = {n}")
        return super().forward(x)

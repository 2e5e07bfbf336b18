"""momentum=0.0 read as "not given": __init__ stores self.momentum = momentum or 0.1, so an
explicit momentum=0.0 (freeze the running statistics, e.g. while fine-tuning) silently
becomes 0.1 and the running statistics drift.

Fix: self.momentum = momentum."""

from solutions.norms.batch_norm import *  # noqa: F401,F403 (the rest is correct)
from solutions.norms.batch_norm import BatchNorm1d as _Ref


class BatchNorm1d(_Ref):
    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True):
        super().__init__(num_features, eps, momentum or 0.1, affine, track_running_stats)

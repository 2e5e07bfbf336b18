"""ring_all_reduce widens integer inputs narrower than int64 (int32, int8, ...) to int64 "so the
sum cannot overflow" and returns that: an int32 input comes back int64, so the result no longer
has the input's dtype (dist.all_reduce keeps it, and wraps around like the input's dtype).

Fix: keep the input's dtype: add in it (as dist.all_reduce does), or cast the result back
with .to(tensor.dtype) before returning."""

import torch

from solutions.distributed.collectives import *  # noqa: F401,F403 (the rest is correct)
from solutions.distributed.collectives import ring_all_reduce as _ring_all_reduce


def ring_all_reduce(tensor):
    if not tensor.dtype.is_floating_point and tensor.dtype != torch.int64:
        tensor = tensor.long()
    return _ring_all_reduce(tensor)

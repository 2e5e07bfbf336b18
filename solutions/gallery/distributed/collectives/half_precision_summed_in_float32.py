"""ring_all_reduce upcasts float16 and bfloat16 inputs to float32 "for precision" and never casts
back: a half-precision input comes back float32, so the result no longer has the input's dtype
(dist.all_reduce keeps it).

Fix: return the input's dtype: add in the input's own dtype, or cast the float32 sum back
with .to(tensor.dtype) before returning."""

import torch

from solutions.distributed.collectives import *  # noqa: F401,F403 (the rest is correct)
from solutions.distributed.collectives import ring_all_reduce as _ring_all_reduce


def ring_all_reduce(tensor):
    if tensor.dtype in (torch.float16, torch.bfloat16):
        tensor = tensor.float()
    return _ring_all_reduce(tensor)

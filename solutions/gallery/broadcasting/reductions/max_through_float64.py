"""Comparing integers through float64: casting x to float64 (to have -inf as a start) and the
values back with .to(x.dtype) is exact for small integers, but float64 holds only 53 bits:
int64 values beyond 2**53 round, so 2**53 + 1 and 2**53 compare equal, the first one wins
the "tie", and the cast-back value is not the true maximum.

Fix: compare in x's own dtype, starting from the first slice along dim."""

import torch

from solutions.broadcasting.reductions import *  # noqa: F401,F403 (the rest is correct)
from solutions.broadcasting.reductions import max as _correct_max


def max(x: torch.Tensor, dim: int = -1, keepdim: bool = False):
    values, indices = _correct_max(x.to(torch.float64), dim, keepdim)  # 53-bit mantissa
    return values.to(x.dtype), indices

"""Gathers with a one-hot matrix product: out = one_hot(idx, T) @ x.

The product multiplies every row that is not picked by 0 and adds it in. That is only a
gather while x is finite: 0 * inf and 0 * NaN are NaN, so one inf anywhere in x[b] poisons
every output row of batch element b (padding and masked scores often hold -inf). It also does
B*K*T*C multiply-adds where a gather copies B*K*C numbers.

Fix: index instead of multiplying: x[torch.arange(B)[:, None], idx]."""

import torch
import torch.nn.functional as F

from solutions.tensors.indexing import *  # noqa: F401,F403 (the rest is correct)


def gather_rows(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    return F.one_hot(idx, x.shape[1]).to(x.dtype) @ x

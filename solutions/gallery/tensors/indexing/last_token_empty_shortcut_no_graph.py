"""Answers an empty x (B or C = 0) with a fresh x.new_zeros(B, C): right shape, dtype and
device, but not on x's graph, so an empty batch breaks backward ("does not require grad").
The contract makes last_token differentiable, with no exception for empty inputs.

Fix: no special case: x[torch.arange(B, device=x.device), lengths - 1] is already empty there,
and on the graph.
"""

import torch

from solutions.tensors.indexing import last_token as _last_token
from solutions.tensors.indexing import *  # noqa: F401,F403 (the rest is correct)


def last_token(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    B, T, C = x.shape
    if x.numel() == 0:
        return x.new_zeros(B, C)
    return _last_token(x, lengths)

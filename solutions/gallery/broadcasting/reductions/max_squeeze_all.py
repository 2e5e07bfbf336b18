"""max that always reduces with keepdim and then, for keepdim=False, calls a bare .squeeze():
that removes the reduced dim, but also every other size-1 dim of x, so max(x (1, 4), dim=1)
gives 0-d values and indices instead of shape (1,), and (3, 1, 4) over the last dim gives
(3,) instead of (3, 1).

Fix: remove only the reduced dim: values.squeeze(dim) and indices.squeeze(dim) (or reduce
without keepdim and unsqueeze(dim) when keepdim=True).
"""

import torch

from solutions.broadcasting.reductions import *  # noqa: F401,F403 (the rest is correct)
from solutions.broadcasting.reductions import max as _max


def max(x: torch.Tensor, dim: int = -1, keepdim: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    values, indices = _max(x, dim, True)
    if keepdim:
        return values, indices
    return values.squeeze(), indices.squeeze()  # every size-1 dim, not just `dim`

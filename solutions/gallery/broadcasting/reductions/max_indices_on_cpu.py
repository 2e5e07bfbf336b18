"""max with its index buffer made by torch.zeros(values.shape, dtype=torch.int64), without
device=: right on the CPU, but that is always a CPU tensor, so for an x on a GPU the first
torch.where mixing it with a CUDA mask fails (or the indices come back on the wrong device).

Fix: build every helper on x's device: torch.zeros(values.shape, dtype=torch.int64,
device=x.device), or torch.zeros_like(values, dtype=torch.int64).
"""

import torch

from solutions.broadcasting.reductions import *  # noqa: F401,F403 (the rest is correct)


def max(x: torch.Tensor, dim: int = -1, keepdim: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    moved = x.movedim(dim, -1)
    values = moved[..., 0]
    indices = torch.zeros(values.shape, dtype=torch.int64)  # on the CPU, whatever x's device
    for i in range(1, moved.shape[-1]):
        bigger = moved[..., i] > values
        values = torch.where(bigger, moved[..., i], values)
        indices = torch.where(bigger, i, indices)
    if keepdim:
        values, indices = values.unsqueeze(dim), indices.unsqueeze(dim)
    return values, indices

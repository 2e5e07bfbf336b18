"""max with a shortcut for x.shape[dim] == 1 that returns torch.zeros(shape, dtype=torch.int64)
without device= as the indices: the general path is right, but the shortcut's indices are a
CPU tensor whatever x's device, so for an x on a GPU they come back on the wrong device.

Fix: no shortcut is needed (the loop simply does not run), or build it on x's device:
torch.zeros_like(values, dtype=torch.int64).
"""

import torch

from solutions.broadcasting.reductions import *  # noqa: F401,F403 (the rest is correct)


def max(x: torch.Tensor, dim: int = -1, keepdim: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    if x.shape[dim] == 1:  # one candidate: it is the max, at position 0
        values = x if keepdim else x.squeeze(dim)
        return values, torch.zeros(values.shape, dtype=torch.int64)  # on the CPU, whatever x's device
    moved = x.movedim(dim, -1)
    values = moved[..., 0]
    indices = torch.zeros(values.shape, dtype=torch.int64, device=x.device)
    for i in range(1, moved.shape[-1]):
        bigger = moved[..., i] > values
        values = torch.where(bigger, moved[..., i], values)
        indices = torch.where(bigger, i, indices)
    if keepdim:
        values, indices = values.unsqueeze(dim), indices.unsqueeze(dim)
    return values, indices

"""Loops over the batch and stacks x[b, lengths[b] - 1] one row at a time.

Every row is right, but torch.stack of an empty list raises for B = 0, which the contract
allows (the result is then an empty (0, C) tensor); .item() per row also forces a sync per
sequence on a GPU.

Fix: one advanced index does the whole batch: x[torch.arange(B), lengths - 1]."""

import torch

from solutions.tensors.indexing import *  # noqa: F401,F403 (the rest is correct)


def last_token(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    return torch.stack([x[b, int(lengths[b].item()) - 1] for b in range(x.shape[0])])

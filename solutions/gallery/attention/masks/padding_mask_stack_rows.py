"""Builds the mask row by row and stacks the rows: right for every batch of at least one
sequence, but torch.stack of an empty list raises for B = 0 (an empty batch, e.g. the last
shard of a split). A comparison of positions with lengths[:, None] gives (0, S) for free.

Fix: torch.arange(S, device=lengths.device) < lengths[:, None].
"""

import torch

from solutions.attention.masks import *  # noqa: F401,F403 (the rest is correct)


def padding_mask(lengths: torch.Tensor, S: int) -> torch.Tensor:
    pos = torch.arange(S, device=lengths.device)
    return torch.stack([pos < n for n in lengths])  # wrong: fails for B = 0

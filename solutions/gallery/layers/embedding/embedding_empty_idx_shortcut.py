"""Embedding answers an empty idx with a shortcut: `if idx.numel() == 0: return
torch.zeros(*idx.shape, embedding_dim, device=idx.device)`. The shape is right, but the
result is float32 whatever the table's dtype (a .double() or .half() model) and is cut from
the weight, so backward through an empty batch fails. Fix: index the weight for an empty
idx too (weight[idx] handles it)."""

import torch

from solutions.layers.embedding import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.embedding import Embedding as _Correct


class Embedding(_Correct):
    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        if idx.numel() == 0:
            return torch.zeros(*idx.shape, self.embedding_dim, device=idx.device)  # wrong
        return super().forward(idx)

"""Embedding that tests `if padding_idx:` instead of `if padding_idx is not None:`. The most
common padding index is 0, which is falsy, so Embedding(num, dim, padding_idx=0) behaves as if
no padding index were given: the pad row starts random and trains like any other row.

Fix: compare with None (`if self.padding_idx is not None:`) everywhere.
"""

import torch
from torch import nn

from solutions.layers.embedding import *  # noqa: F401,F403 (the rest is correct)


class Embedding(nn.Module):
    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None):
        super().__init__()
        self.padding_idx = padding_idx
        self.weight = nn.Parameter(torch.randn(num_embeddings, embedding_dim))
        if padding_idx:
            with torch.no_grad():
                self.weight[padding_idx].zero_()

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        out = self.weight[idx]
        if self.padding_idx:
            out = torch.where((idx == self.padding_idx).unsqueeze(-1), out.detach(), out)
        return out

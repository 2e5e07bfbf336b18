"""Embedding's forward has its own path for padding_idx=None: a flat lookup,
weight.index_select(0, idx.reshape(-1)).view(*idx.shape, -1). With an empty idx there are no
elements, so the -1 can be anything and torch raises (the padding path, weight[idx], works),
although idx may have any shape, size-0 dims included.

Fix: self.weight[idx] in both paths (or spell out embedding_dim instead of -1)."""

from solutions.layers.embedding import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.embedding import Embedding as _Embedding


class Embedding(_Embedding):
    def forward(self, idx):
        if self.padding_idx is None:
            return self.weight.index_select(0, idx.reshape(-1)).view(*idx.shape, -1)  # wrong at 0
        return super().forward(idx)

"""padding_idx ignored at initialisation: the pad row is drawn from N(0, 1) like the rest,
so padded positions inject a random vector into the model from the first step (and, with
no gradient reaching it, it stays that random vector forever). nn.Embedding zeroes it.
Fix: after drawing the table, set weight[padding_idx] to zeros under torch.no_grad()."""

import torch

from solutions.layers.embedding import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.embedding import Embedding as _Correct


class Embedding(_Correct):
    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None):
        super().__init__(num_embeddings, embedding_dim, padding_idx)
        with torch.no_grad():
            self.weight.copy_(torch.randn(num_embeddings, embedding_dim))  # pad row not zeroed

"""Draws the table from a private torch.Generator seeded with a constant "for
reproducibility": every Embedding built in the program starts from the same values (two
tables of the same shape are identical, e.g. token and position embeddings), and
torch.manual_seed has no effect on them.

Fix: draw from torch's global generator: torch.randn(num_embeddings, embedding_dim); the
caller makes runs repeatable with torch.manual_seed."""

import torch

from solutions.layers.embedding import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.embedding import Embedding as _Correct


class Embedding(_Correct):
    def __init__(self, num_embeddings, embedding_dim, padding_idx=None):
        super().__init__(num_embeddings, embedding_dim, padding_idx)
        generator = torch.Generator().manual_seed(0)
        with torch.no_grad():
            self.weight.copy_(torch.randn(num_embeddings, embedding_dim, generator=generator))
            if padding_idx is not None:
                self.weight[padding_idx] = 0.0

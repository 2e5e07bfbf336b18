"""The table created with an explicit dtype=torch.float32: nn.Embedding makes it in torch's
default dtype, so under torch.set_default_dtype(torch.float64) this table stays float32 and
its rows meet float64 activations (positional encodings, a float64 head) in another dtype.

Fix: torch.randn(num_embeddings, embedding_dim) without dtype= (torch's default dtype,
float32 unless the caller changed it), and let .to(...) convert."""

import torch
from torch import nn

from solutions.layers.embedding import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.embedding import Embedding as _Correct


class Embedding(_Correct):
    def __init__(self, num_embeddings, embedding_dim, padding_idx=None):
        nn.Module.__init__(self)
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = padding_idx
        self.weight = nn.Parameter(torch.randn(num_embeddings, embedding_dim, dtype=torch.float32))
        if padding_idx is not None:
            with torch.no_grad():
                self.weight[padding_idx].zero_()

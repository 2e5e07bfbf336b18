"""Initialises the table with numpy (torch.from_numpy(np.random.randn(n, d))): the values are
N(0, 1), but they come from numpy's generator, so torch.manual_seed(s) no longer makes a run
repeatable (nn.Embedding draws from torch's global generator), and the float64 array must be
cast back to float32.

Fix: nn.Parameter(torch.randn(num_embeddings, embedding_dim)) (or weight.normal_())."""

import numpy as np
import torch

from solutions.layers.embedding import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.embedding import Embedding as _Correct


class Embedding(_Correct):
    def __init__(self, num_embeddings, embedding_dim, padding_idx=None):
        super().__init__(num_embeddings, embedding_dim, padding_idx)
        with torch.no_grad():
            self.weight.copy_(torch.from_numpy(np.random.randn(num_embeddings, embedding_dim)))
            if padding_idx is not None:
                self.weight[padding_idx] = 0.0

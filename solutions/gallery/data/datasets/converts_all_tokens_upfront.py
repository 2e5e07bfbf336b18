"""The constructor converts the whole token tensor to int64 (torch.as_tensor(tokens,
dtype=torch.long)) so that __getitem__ can slice int64 windows directly: a uint16 token file
is stored in 2 bytes per token precisely to save memory, and the dataset now holds a copy 4x
its size (8 GB for a billion tokens), on top of the original.

Fix: keep the tokens as given; convert only each window in __getitem__
(self.tokens[i : i + T + 1].long())."""

import torch

from solutions.data.datasets import *  # noqa: F401,F403 (the rest is correct)
from solutions.data.datasets import NextTokenDataset as _Reference


class NextTokenDataset(_Reference):
    def __init__(self, tokens, block_size):
        super().__init__(torch.as_tensor(tokens, dtype=torch.long), block_size)

"""__getitem__ converts all the tokens to int64 in numpy (tokens.numpy().astype(np.int64))
and then slices the window: every item costs a copy of the whole token file, 4x its size,
outside torch where a tensor-memory check does not look.

Fix: slice the window first, then convert it (self.tokens[i : i + T + 1].long())."""

import numpy as np
import torch

from solutions.data.datasets import *  # noqa: F401,F403 (the rest is correct)
from solutions.data.datasets import NextTokenDataset as _Reference


class NextTokenDataset(_Reference):
    def __getitem__(self, i):
        if not 0 <= i < len(self):
            raise IndexError(i)
        data = self.tokens.numpy().astype(np.int64)
        chunk = torch.from_numpy(data[i: i + self.block_size + 1])
        return chunk[:-1], chunk[1:]

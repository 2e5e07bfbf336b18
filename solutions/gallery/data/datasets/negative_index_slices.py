"""__getitem__ rejects i >= len(self) but lets negative indices through: ds[-1] slices
tokens[-1 : -1 + T + 1], an empty or wrapped window, not a (T,) pair. The contract says any
index outside 0 <= i < len(dataset) raises IndexError.

Fix: check both ends: if not 0 <= i < len(self): raise IndexError(...)."""

from solutions.data.datasets import *  # noqa: F401,F403 (the rest is correct)
from solutions.data.datasets import NextTokenDataset as _Correct


class NextTokenDataset(_Correct):
    def __getitem__(self, i):
        if i >= len(self):
            raise IndexError(i)
        chunk = self.tokens[i: i + self.block_size + 1].long()
        return chunk[:-1], chunk[1:]

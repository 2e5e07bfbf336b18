"""__getitem__ slices without checking the index: ds[len(ds)] returns a window one token
short, ds[len(ds) + 3] shorter still, and past the end empty tensors forever, so
`for x, y in dataset` (Python iterates over __getitem__ until IndexError) never stops.

Fix: raise IndexError unless 0 <= i < len(self)."""

from solutions.data.datasets import *  # noqa: F401,F403 (the rest is correct)
from solutions.data.datasets import NextTokenDataset as _Correct


class NextTokenDataset(_Correct):
    def __getitem__(self, i):
        chunk = self.tokens[i: i + self.block_size + 1].long()
        return chunk[:-1], chunk[1:]

"""__getitem__ converts all the tokens to int64 and then slices the window
(self.tokens.long()[i : i + T]): every item allocates and copies 8 bytes per token of the
whole file to return T of them, so an epoch costs O(N^2) work and each DataLoader worker
holds an int64 copy of the data while it runs.

Fix: slice the window first, then convert it: self.tokens[i : i + T + 1].long()."""

from solutions.data.datasets import *  # noqa: F401,F403 (the rest is correct)
from solutions.data.datasets import NextTokenDataset as _Reference


class NextTokenDataset(_Reference):
    def __getitem__(self, i):
        if not 0 <= i < len(self):
            raise IndexError(f"index {i} out of range for {len(self)} windows")
        tokens = self.tokens.long()
        return tokens[i:i + self.block_size], tokens[i + 1:i + self.block_size + 1]

"""__getitem__ returns the list [x, y] instead of the pair (x, y): the DataLoader's default
collate then gives a list per batch, not the tuple the contract promises, and code that
checks isinstance(item, tuple) or compares an item with (x, y) sees something else."""

from solutions.data import datasets as _sol
from solutions.data.datasets import *  # noqa: F401,F403 (the rest is correct)


class NextTokenDataset(_sol.NextTokenDataset):
    def __getitem__(self, i):
        x, y = super().__getitem__(i)
        return [x, y]  # wrong: a list, not the pair (x, y)

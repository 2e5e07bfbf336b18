"""pad_collate returns the list [padded, lengths, mask] instead of the tuple (padded, lengths,
mask) that the contract promises."""

from solutions.data import datasets as _sol
from solutions.data.datasets import *  # noqa: F401,F403 (the rest is correct)


def pad_collate(batch, pad_id):
    return list(_sol.pad_collate(batch, pad_id))  # wrong: a list, not a tuple

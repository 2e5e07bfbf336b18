"""pad_collate returns torch.stack(batch) when every sequence has the same length ("nothing to
pad"): that keeps the sequences' dtype, so an int32 or uint16 batch of equal lengths gives
an int32 / uint16 padded, while the padding path gives int64.

Fix: drop the shortcut, or widen it too: torch.stack(batch).long()."""

import torch

from solutions.data.datasets import *  # noqa: F401,F403 (the rest is correct)


def pad_collate(batch, pad_id):
    lengths = torch.tensor([len(seq) for seq in batch], dtype=torch.int64)
    if all(len(seq) == len(batch[0]) for seq in batch):
        padded = torch.stack(batch)
        return padded, lengths, torch.ones(padded.shape, dtype=torch.bool)
    longest = int(lengths.max())
    padded = torch.full((len(batch), longest), pad_id, dtype=torch.int64)
    for row, seq in enumerate(batch):
        padded[row, : len(seq)] = seq
    mask = torch.arange(longest) < lengths[:, None]
    return padded, lengths, mask

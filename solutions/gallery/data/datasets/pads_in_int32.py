"""pad_collate builds padded in int32 (torch.full(..., pad_id, dtype=torch.int32)) and widens
it with .long() at the end: right for every pad_id that fits int32, but pad_id is any int,
and one past int32's range (2**31) cannot be stored (torch raises an overflow error).

Fix: build padded as int64 from the start: torch.full((B, L), pad_id, dtype=torch.int64)."""

import torch

from solutions.data.datasets import *  # noqa: F401,F403 (the rest is correct)


def pad_collate(batch, pad_id):
    lengths = torch.tensor([len(seq) for seq in batch], dtype=torch.int64)
    longest = int(lengths.max())
    padded = torch.full((len(batch), longest), pad_id, dtype=torch.int32)
    for row, seq in enumerate(batch):
        padded[row, : len(seq)] = seq
    mask = torch.arange(longest) < lengths[:, None]
    return padded.long(), lengths, mask

"""Pads with pad_sequence(batch, batch_first=True, padding_value=pad_id) and returns the result
as it is: pad_sequence keeps the sequences' dtype, so int32 or uint16 token ids give an
int32 / uint16 `padded` instead of int64 (and a pad_id that does not fit that dtype wraps or
fails).

Fix: convert first, pad_sequence([s.long() for s in batch], ...), or build padded with
torch.full((B, L), pad_id, dtype=torch.int64) and copy each sequence into its row."""

import torch
from torch.nn.utils.rnn import pad_sequence

from solutions.data.datasets import *  # noqa: F401,F403 (the rest is correct)


def pad_collate(batch, pad_id):
    lengths = torch.tensor([len(seq) for seq in batch], dtype=torch.int64)
    padded = pad_sequence(batch, batch_first=True, padding_value=pad_id)
    mask = torch.arange(padded.shape[1]) < lengths[:, None]
    return padded, lengths, mask

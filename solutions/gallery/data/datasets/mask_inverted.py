"""Mask inverted: True on the padding instead of on the real tokens. Conventions differ
(nn.MultiheadAttention's key_padding_mask marks padding with True, F.scaled_dot_product_
attention's bool mask marks positions to attend with True), so every mask must say which one
it is; this kata's mask is True on real tokens: mask[b, j] = j < lengths[b]."""

import torch

from solutions.data.datasets import *  # noqa: F401,F403 (the rest is correct)


def pad_collate(batch, pad_id):
    lengths = torch.tensor([len(seq) for seq in batch], dtype=torch.int64)
    longest = int(lengths.max())
    padded = torch.full((len(batch), longest), pad_id, dtype=torch.int64)
    for row, seq in enumerate(batch):
        padded[row, : len(seq)] = seq
    mask = torch.arange(longest) >= lengths[:, None]
    return padded, lengths, mask

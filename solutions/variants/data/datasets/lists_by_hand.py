"""Index arithmetic with torch.arange gathers; pad_collate built row by row with torch.cat and a mask from per-row ones/zeros."""

import torch
from torch.utils.data import Dataset


class NextTokenDataset(Dataset):
    def __init__(self, tokens, block_size):
        if not len(tokens) > block_size:
            raise ValueError(f"NextTokenDataset needs {block_size + 1} tokens or more, got "
                             f"{len(tokens)}")
        self.t, self.T = tokens, block_size

    def __len__(self):
        return len(self.t) - self.T

    def __getitem__(self, i):
        if not (0 <= i < len(self)):
            raise IndexError(i)
        idx = torch.arange(i, i + self.T)
        return self.t[idx].to(torch.int64), self.t[idx + 1].to(torch.int64)


def pad_collate(batch, pad_id):
    L = max(int(s.numel()) for s in batch)
    rows, masks = [], []
    for s in batch:
        gap = L - s.numel()
        rows.append(torch.cat([s.long(), torch.full((gap,), pad_id, dtype=torch.int64)]))
        masks.append(torch.cat([torch.ones(s.numel(), dtype=torch.bool),
                                torch.zeros(gap, dtype=torch.bool)]))
    lengths = torch.tensor([int(s.numel()) for s in batch], dtype=torch.int64)
    return torch.stack(rows), lengths, torch.stack(masks)

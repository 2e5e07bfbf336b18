"""Day 7 — data/datasets: reference solution."""

import torch
from torch.utils.data import Dataset


class NextTokenDataset(Dataset):
    """(x, y) windows of block_size tokens, y shifted one token ahead of x."""

    def __init__(self, tokens: torch.Tensor, block_size: int):
        if len(tokens) <= block_size:
            raise ValueError(f"NextTokenDataset: {len(tokens)} tokens cannot fill one window of "
                             f"block_size={block_size}; it needs at least {block_size + 1}")
        self.tokens = tokens
        self.block_size = block_size

    def __len__(self) -> int:
        """The number of windows: len(tokens) - block_size."""
        # Window i needs tokens i .. i + T (T inputs and one more for the last target).
        return len(self.tokens) - self.block_size

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(tokens[i : i + T], tokens[i + 1 : i + T + 1]), int64; IndexError outside 0..len-1."""
        if not 0 <= i < len(self):  # slicing past the end would return short windows
            raise IndexError(f"NextTokenDataset index {i} out of range for {len(self)} windows")
        chunk = self.tokens[i: i + self.block_size + 1].long()
        return chunk[:-1], chunk[1:]


def pad_collate(batch: list[torch.Tensor], pad_id: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """B sequences -> (padded (B, L) int64, lengths (B,) int64, mask (B, L) bool, True = real)."""
    lengths = torch.tensor([len(seq) for seq in batch], dtype=torch.int64)
    longest = int(lengths.max())
    padded = torch.full((len(batch), longest), pad_id, dtype=torch.int64)
    for row, seq in enumerate(batch):
        padded[row, : len(seq)] = seq
    mask = torch.arange(longest) < lengths[:, None]   # True where position < length
    return padded, lengths, mask

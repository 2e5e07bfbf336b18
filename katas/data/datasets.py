"""Day 7 — data/datasets: a next-token dataset and a padding collate function.

Write:
    NextTokenDataset(tokens, block_size): a torch.utils.data.Dataset over a 1-D tensor of N
        token ids, for training a language model with context length T = block_size >= 1.
        The ids may come in any integer dtype (int64, or int32 / uint16 as read from a token
        file to save memory); the items are always int64 (what embeddings and cross_entropy
        expect). Keep the tokens in their own dtype: no wider copy of all N tokens (an int64 or
        int32 tensor, a numpy array, a Python list), in the constructor or per item; convert
        only the window an item reads.
        Item i is the pair (x, y), both int64 of shape (T,):
            x = tokens[i : i + T]          the context
            y = tokens[i + 1 : i + T + 1]  the next token at every position of x
        len(dataset) == N - T: every window whose last target still exists (block_size =
        N - 1 gives exactly one window). If N <= T (N = 0 included) there is not one full
        window: the constructor raises ValueError whose message names both numbers, the N
        tokens it got and the T + 1 it needs (e.g. "got 4 tokens, need at least 5").
        Valid indices are 0 <= i < len(dataset); any other index (negative ones included)
        raises IndexError, so that `for x, y in dataset` (Python's iteration over
        __getitem__) stops after the last window instead of yielding short slices forever.
    pad_collate(batch, pad_id) -> (padded, lengths, mask): a collate_fn for a DataLoader over
        variable-length sequences. batch is a list of B >= 1 1-D tensors of token ids (int64, or
        any other integer dtype as for NextTokenDataset), each with at least one token; L is
        the longest length. pad_id is any int (negative, or too large for the sequences'
        dtype, included): padded is int64 whatever the sequences' dtype.
            padded  (B, L) int64: row b is batch[b] followed by pad_id up to length L
                    (padding on the right)
            lengths (B,)   int64: the length of each sequence
            mask    (B, L) bool:  True on real tokens, False on padding
        Use it as DataLoader(data, batch_size=..., collate_fn=functools.partial(pad_collate,
        pad_id=...)); with shuffle=True and generator=torch.Generator().manual_seed(s) the
        order is the same every time the same seed is used.

Off limits: none (torch.nn.utils.rnn.pad_sequence is allowed, but try it by hand first).
Inputs must not be modified.
Run: pytest katas/data/datasets.py
"""

import torch
from torch.utils.data import Dataset


class NextTokenDataset(Dataset):
    """(x, y) windows of block_size tokens, y shifted one token ahead of x."""

    def __init__(self, tokens: torch.Tensor, block_size: int):
        raise NotImplementedError

    def __len__(self) -> int:
        """The number of windows: len(tokens) - block_size."""
        raise NotImplementedError

    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        """(tokens[i : i + T], tokens[i + 1 : i + T + 1]), int64."""
        raise NotImplementedError


def pad_collate(batch: list[torch.Tensor], pad_id: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """B sequences -> (padded (B, L) int64, lengths (B,) int64, mask (B, L) bool, True = real)."""
    raise NotImplementedError

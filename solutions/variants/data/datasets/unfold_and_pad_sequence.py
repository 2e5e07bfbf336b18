"""Windows as a Tensor.unfold view at construction (converted to int64 per item) (IndexError from a range check); pad_collate via pad_sequence and a broadcast comparison."""

import torch
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import Dataset


class NextTokenDataset(Dataset):
    def __init__(self, tokens, block_size):
        n = tokens.shape[0]
        if n < block_size + 1:
            raise ValueError(f"{n} tokens given; a window of block_size {block_size} needs "
                             f"{block_size + 1}")
        self.windows = tokens.unfold(0, block_size + 1, 1)  # a view: no copy of the tokens

    def __len__(self):
        return self.windows.shape[0]

    def __getitem__(self, i):
        if i < 0 or i >= self.windows.shape[0]:
            raise IndexError(f"index {i} out of range")
        w = self.windows[i]
        return w[:-1].long().clone(), w[1:].long().clone()


def pad_collate(batch, pad_id):
    lengths = torch.tensor([s.shape[0] for s in batch], dtype=torch.int64)
    padded = pad_sequence([s.long() for s in batch], batch_first=True, padding_value=pad_id)
    mask = torch.arange(padded.shape[1]).unsqueeze(0) < lengths.unsqueeze(1)
    return padded, lengths, mask

"""Converts the prefix tokens[: i + T + 1] to int64 and keeps its last T + 1 tokens: right
values, and cheap for early windows, but item i copies i + T + 1 tokens, so the last windows
convert nearly all N tokens (8 N bytes) every time they are read.

Fix: slice the window first, then convert it: self.tokens[i : i + T + 1].long()."""

import torch

from solutions.data.datasets import NextTokenDataset as _Reference
from solutions.data.datasets import *  # noqa: F401,F403 (the rest is correct)


class NextTokenDataset(_Reference):
    def __getitem__(self, i: int) -> tuple[torch.Tensor, torch.Tensor]:
        if not 0 <= i < len(self):
            raise IndexError(f"NextTokenDataset index {i} out of range for {len(self)} windows")
        chunk = self.tokens[: i + self.block_size + 1].long()[-(self.block_size + 1):]
        return chunk[:-1], chunk[1:]

"""Embedding that flattens idx, gathers rows and reshapes back with `reshape(*idx.shape, -1)`.
For an empty idx (a batch with no tokens, shape (0,) or (2, 0)) there are 0 elements and torch
cannot infer the -1, so the lookup crashes instead of returning an empty (..., dim) tensor.

Fix: spell the last size out: `.reshape(*idx.shape, self.weight.shape[1])`, or index
`self.weight[idx]` directly.
"""

import torch

from solutions.layers.embedding import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.embedding import Embedding as _Correct


class Embedding(_Correct):
    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        rows = self.weight.index_select(0, idx.reshape(-1))
        if self.padding_idx is not None:
            pad = (idx.reshape(-1) == self.padding_idx).unsqueeze(-1)
            rows = torch.where(pad, rows.detach(), rows)
        return rows.reshape(*idx.shape, -1)

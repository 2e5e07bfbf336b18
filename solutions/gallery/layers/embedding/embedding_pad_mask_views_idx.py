"""The pad mask is built from idx.view(-1) (flat, then reshaped back): a view needs idx laid
out row by row, so a transposed or sliced idx raises whenever padding_idx is given, although
idx may be any int64 tensor (the lookup itself, weight[idx], takes it as it is).

Fix: compare idx as it is, (idx == padding_idx).unsqueeze(-1), or reshape instead of view."""

import torch

from solutions.layers.embedding import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.embedding import Embedding as _Embedding


class Embedding(_Embedding):
    def forward(self, idx):
        out = self.weight[idx]
        if self.padding_idx is not None:
            is_pad = (idx.view(-1) == self.padding_idx).view(*idx.shape, 1)  # wrong: view
            out = torch.where(is_pad, out.detach(), out)
        return out

"""Embedding as a one-hot matmul built with .float(): F.one_hot(idx, n).float() @
weight.float(), cast back to the weight's dtype. For a float32 or half table the rows come
out exact, but a float64 table (module.double()) is rounded to float32 on the way, so its
rows lose about 9 of their 16 digits. Fix: index the table (weight[idx]), or build the
one-hot in weight.dtype."""

import torch
import torch.nn.functional as F

from solutions.layers.embedding import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.embedding import Embedding as _Correct


class Embedding(_Correct):
    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        one_hot = F.one_hot(idx, self.num_embeddings).float()
        out = (one_hot @ self.weight.float()).to(self.weight.dtype)  # wrong: float32 detour
        if self.padding_idx is not None:
            is_pad = (idx == self.padding_idx).unsqueeze(-1)
            out = torch.where(is_pad, out.detach(), out)
        return out

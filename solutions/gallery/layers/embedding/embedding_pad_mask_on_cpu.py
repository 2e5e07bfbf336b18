"""Cuts the pad row's gradient with a keep-mask made by torch.ones(num_embeddings, 1,
dtype=...) without device=: the mask lives on the CPU, so the module breaks as soon as it is
moved to a GPU (or any other device), though nn.Embedding works wherever its weight is.

Fix: build helper tensors on the weight's device (device=self.weight.device), or avoid them:
torch.where(idx == padding_idx, out.detach(), out) needs no extra tensor."""

import torch

from solutions.layers.embedding import *  # noqa: F401,F403 (the rest is correct)
from solutions.layers.embedding import Embedding as _Embedding


class Embedding(_Embedding):
    def forward(self, idx):
        weight = self.weight
        if self.padding_idx is not None:
            keep = torch.ones(self.num_embeddings, 1, dtype=weight.dtype)
            keep[self.padding_idx] = 0
            weight = weight * keep + weight.detach() * (1 - keep)
        return weight[idx]

"""One-hot matmul lookup, pad gradient zeroed by a hook on weight; Dropout via torch.bernoulli."""

import torch
import torch.nn.functional as F
from torch import nn


class Embedding(nn.Module):
    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None):
        super().__init__()
        self.num, self.pad = num_embeddings, padding_idx
        table = torch.empty(num_embeddings, embedding_dim).normal_()
        if padding_idx is not None:
            table[padding_idx] = 0.0
        self.weight = nn.Parameter(table)
        if padding_idx is not None:
            self.weight.register_hook(self._zero_pad_grad)

    def _zero_pad_grad(self, grad):
        grad = grad.clone()
        grad[self.pad] = 0
        return grad

    def forward(self, idx):
        hot = F.one_hot(idx, self.num).to(self.weight.dtype)
        return hot @ self.weight


class Dropout(nn.Module):
    def __init__(self, p: float):
        super().__init__()
        self.p = p

    def forward(self, x):
        rate = float(self.p)  # read at every call, like nn.Dropout
        if not self.training:
            return x
        if rate >= 1.0:
            return torch.zeros_like(x) * x
        keep = torch.bernoulli(torch.full_like(x, 1.0 - rate))
        return x * keep * (1.0 / (1.0 - rate))

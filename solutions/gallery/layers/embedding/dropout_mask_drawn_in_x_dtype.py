"""Dropout drawing its mask in x's dtype (torch.rand(..., dtype=x.dtype), like rand_like(x)):
bfloat16 random numbers never exceed 0.99609375, so Dropout(0.999) drops every element and
high p keeps too few. Draw the uniforms in float32 and compare those with p."""

import torch
from torch import nn


class Embedding(nn.Module):
    """A lookup table: idx (...) int64 -> (..., embedding_dim)."""

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None):
        super().__init__()
        self.num_embeddings = num_embeddings
        self.embedding_dim = embedding_dim
        self.padding_idx = padding_idx
        self.weight = nn.Parameter(torch.randn(num_embeddings, embedding_dim))
        if padding_idx is not None:
            with torch.no_grad():
                self.weight[padding_idx].zero_()

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        """idx (...) int64 -> (..., embedding_dim)."""
        out = self.weight[idx]  # advanced indexing; its backward sums repeated rows
        if self.padding_idx is not None:
            # Same values, but the gradient of every pad position is cut off.
            is_pad = (idx == self.padding_idx).unsqueeze(-1)
            out = torch.where(is_pad, out.detach(), out)
        return out


class Dropout(nn.Module):
    """Inverted dropout: zero with probability p, scale by 1 / (1 - p) in training."""

    def __init__(self, p: float):
        super().__init__()
        if not 0.0 <= p <= 1.0:
            raise ValueError(f"dropout probability must be in [0, 1], got {p}")
        self.p = p

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (...) -> (...) same shape and dtype."""
        if not self.training or self.p == 0.0:
            return x
        if self.p == 1.0:
            return x * 0.0  # 1 / (1 - p) would be inf, and 0 * inf is NaN
        keep = torch.rand(x.shape, device=x.device, dtype=x.dtype) >= self.p  # True with probability 1 - p
        return x * keep / (1.0 - self.p)

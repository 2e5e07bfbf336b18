"""Hand-written autograd.Functions: index_add_ backward skipping the pad row; Dropout saving its mask."""

import torch
from torch import nn


class _Lookup(torch.autograd.Function):
    @staticmethod
    def forward(ctx, weight, idx, pad):
        ctx.save_for_backward(idx)
        ctx.num, ctx.pad = weight.shape[0], pad
        return weight.index_select(0, idx.reshape(-1)).reshape(*idx.shape, weight.shape[1])

    @staticmethod
    def backward(ctx, g):
        (idx,) = ctx.saved_tensors
        flat = idx.reshape(-1)
        rows = g.reshape(flat.numel(), g.shape[-1])
        grad = torch.zeros(ctx.num, g.shape[-1], dtype=g.dtype, device=g.device)
        grad.index_add_(0, flat, rows)
        if ctx.pad is not None:
            grad[ctx.pad] = 0
        return grad, None, None


class Embedding(nn.Module):
    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None):
        super().__init__()
        self.padding_idx = padding_idx
        self.weight = nn.Parameter(torch.randn(num_embeddings, embedding_dim))
        if padding_idx is not None:
            with torch.no_grad():
                self.weight[padding_idx] = 0

    def forward(self, idx):
        return _Lookup.apply(self.weight, idx, self.padding_idx)


class _Mask(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, p):
        scale = 0.0 if p == 1.0 else 1.0 / (1.0 - p)
        mask = (torch.rand_like(x, dtype=torch.float32) >= p).to(x.dtype) * scale
        ctx.save_for_backward(mask)
        return x * mask

    @staticmethod
    def backward(ctx, g):
        (mask,) = ctx.saved_tensors
        return g * mask, None


class Dropout(nn.Module):
    def __init__(self, p: float):
        super().__init__()
        self.p = p

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        return _Mask.apply(x, self.p)

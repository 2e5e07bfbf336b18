"""Keys and values projected per head: k_proj and v_proj map d_model -> d_model and split
into n_heads heads, which is plain multi-head attention. The cache then needs n_heads heads
of K and V (n_heads times the bytes) and the point of MQA is lost.

Fix: multi-query attention projects ONE key head and ONE value head,
k_proj = nn.Linear(d_model, head_dim, bias=False) (and v_proj alike), shared by all the
query heads."""

import torch
import torch.nn as nn

from katas.inference.gqa import grouped_query_attention
from solutions.inference.mqa import *  # noqa: F401,F403 (the rest is correct)


class MQACache:
    def __init__(self, batch, max_len, head_dim, dtype=torch.float32, device=None):
        self.shape, self.dtype, self.device = (batch, max_len, head_dim), dtype, device
        self.k = self.v = None
        self.length = 0

    def update(self, k, v):
        if self.k is None:  # as many heads as the keys come with
            batch, max_len, head_dim = self.shape
            self.k = torch.zeros(batch, k.shape[1], max_len, head_dim, dtype=self.dtype, device=self.device)
            self.v = torch.zeros_like(self.k)
        start, end = self.length, self.length + k.shape[2]
        self.k[:, :, start:end], self.v[:, :, start:end] = k, v
        self.length = end
        return self.k[:, :, :end], self.v[:, :, :end]


class MultiQueryAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.n_heads, self.head_dim = n_heads, d_model // n_heads
        self.q_proj = nn.Linear(d_model, d_model, bias=False)
        self.k_proj = nn.Linear(d_model, d_model, bias=False)  # every head its own keys
        self.v_proj = nn.Linear(d_model, d_model, bias=False)
        self.o_proj = nn.Linear(d_model, d_model, bias=False)

    def forward(self, x, cache=None):
        B, T, C = x.shape
        H, hd = self.n_heads, self.head_dim
        q = self.q_proj(x).view(B, T, H, hd).transpose(1, 2)
        k = self.k_proj(x).view(B, T, H, hd).transpose(1, 2)
        v = self.v_proj(x).view(B, T, H, hd).transpose(1, 2)
        if cache is not None:
            k, v = cache.update(k, v)
        out = grouped_query_attention(q, k, v, is_causal=T > 1)
        return self.o_proj(out.transpose(1, 2).reshape(B, T, C))

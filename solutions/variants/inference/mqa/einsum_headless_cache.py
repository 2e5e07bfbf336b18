"""Correct variant: the cache stores (B, max_len, hd) buffers without the head axis and returns unsqueezed views; attention by einsum with an additive float mask."""

import math

import torch
import torch.nn as nn


class MQACache:
    def __init__(self, batch, max_len, head_dim, dtype=torch.float32, device=None):
        self.keys = torch.zeros(batch, max_len, head_dim, dtype=dtype, device=device)
        self.values = torch.zeros(batch, max_len, head_dim, dtype=dtype, device=device)
        self.length = 0

    def update(self, k, v):
        n = self.length
        T = k.shape[2]
        B, L, hd = self.keys.shape
        if k.dim() != 4 or k.shape != v.shape or (k.shape[0], k.shape[1], k.shape[3]) != (B, 1, hd):
            raise ValueError(f"k, v must be ({B}, 1, T, {hd}); got {tuple(k.shape)}, {tuple(v.shape)}")
        if n + T > L:
            raise ValueError(f"max_len {L} exceeded ({n} + {T})")
        self.keys[:, n:n + T] = k[:, 0]
        self.values[:, n:n + T] = v[:, 0]
        self.length = n + T
        return self.keys[:, None, :n + T], self.values[:, None, :n + T]


class MultiQueryAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.n_heads = n_heads
        self.q_proj = nn.Linear(d_model, d_model, bias=False)
        self.k_proj = nn.Linear(d_model, d_model // n_heads, bias=False)
        self.v_proj = nn.Linear(d_model, d_model // n_heads, bias=False)
        self.o_proj = nn.Linear(d_model, d_model, bias=False)

    def forward(self, x, cache=None):
        B, T, C = x.shape
        H, hd = self.n_heads, C // self.n_heads
        q = self.q_proj(x).view(B, T, H, hd)
        k, v = self.k_proj(x).unsqueeze(1), self.v_proj(x).unsqueeze(1)
        if cache is not None:
            k, v = cache.update(k, v)
        k, v = k[:, 0], v[:, 0]  # (B, S, hd)
        S = k.shape[1]
        scores = torch.einsum("bthd,bsd->bhts", q, k) / math.sqrt(hd)
        bias = torch.zeros(T, S, dtype=x.dtype, device=x.device)
        bias = bias.masked_fill(torch.ones(T, S, dtype=torch.bool, device=x.device).triu(S - T + 1), float("-inf"))
        w = torch.softmax(scores + bias, dim=-1)
        out = torch.einsum("bhts,bsd->bthd", w, v)
        return self.o_proj(out.reshape(B, T, C))

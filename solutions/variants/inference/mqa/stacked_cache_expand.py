"""Correct variant: one stacked (2, B, 1, max_len, hd) cache tensor with a length property, attention by expanding K/V to every head and a bottom-right mask."""

import math

import torch
import torch.nn as nn


class MQACache:
    def __init__(self, batch, max_len, head_dim, dtype=torch.float32, device=None):
        self.kv = torch.empty(2, batch, 1, max_len, head_dim, dtype=dtype, device=device)
        self._n = 0

    @property
    def length(self):
        return self._n

    def update(self, k, v):
        want = (self.kv.shape[1], 1, k.shape[2], self.kv.shape[4])
        if tuple(k.shape) != want or tuple(v.shape) != want or self._n + k.shape[2] > self.kv.shape[3]:
            raise ValueError(f"cannot store k {tuple(k.shape)}, v {tuple(v.shape)} at {self._n} in {tuple(self.kv.shape)}")
        T = k.shape[2]
        self.kv[0, :, :, self._n:self._n + T].copy_(k)
        self.kv[1, :, :, self._n:self._n + T].copy_(v)
        self._n += T
        return self.kv[0, :, :, :self._n], self.kv[1, :, :, :self._n]


class MultiQueryAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.h, self.hd = n_heads, d_model // n_heads
        self.q_proj = nn.Linear(d_model, d_model, bias=False)
        self.k_proj = nn.Linear(d_model, self.hd, bias=False)
        self.v_proj = nn.Linear(d_model, self.hd, bias=False)
        self.o_proj = nn.Linear(d_model, d_model, bias=False)

    def forward(self, x, cache=None):
        B, T, C = x.shape
        q = self.q_proj(x).reshape(B, T, self.h, self.hd).permute(0, 2, 1, 3)
        k, v = self.k_proj(x)[:, None], self.v_proj(x)[:, None]
        if cache is not None:
            k, v = cache.update(k, v)
        S = k.shape[2]
        k, v = k.expand(B, self.h, S, self.hd), v.expand(B, self.h, S, self.hd)
        scores = torch.matmul(q, k.transpose(2, 3)) * (1.0 / math.sqrt(self.hd))
        i = torch.arange(T, device=x.device)[:, None] + (S - T)
        j = torch.arange(S, device=x.device)[None, :]
        scores = scores.masked_fill(j > i, float("-inf"))
        out = torch.matmul(scores.softmax(dim=-1), v)
        return self.o_proj(out.permute(0, 2, 1, 3).reshape(B, T, C))

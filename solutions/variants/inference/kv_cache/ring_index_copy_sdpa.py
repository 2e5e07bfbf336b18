"""Correct variant: a ring buffer written with index_copy_ and read back with torch.roll, cos/sin tables per call, SDPA with an additive float mask, other attribute names."""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F


class KVCache:
    def __init__(self, batch, n_heads, max_len, head_dim, dtype=torch.float32, device=None):
        shape = (batch, n_heads, max_len, head_dim)
        self._keys = torch.zeros(shape, dtype=dtype, device=device)
        self._values = torch.zeros(shape, dtype=dtype, device=device)
        self.length = 0

    def update(self, k, v):
        if k.dim() != 4 or v.shape != k.shape or k.shape[:2] + k.shape[3:] != self._keys.shape[:2] + self._keys.shape[3:]:
            raise ValueError(f"k {tuple(k.shape)} / v {tuple(v.shape)} do not fit a cache of {tuple(self._keys.shape)}")
        lo, hi = self.length, self.length + k.size(2)
        if hi > self._keys.size(2):
            raise ValueError(f"max_len {self._keys.size(2)} exceeded: {lo} + {k.size(2)}")
        self._keys[:, :, lo:hi].copy_(k)
        self._values[:, :, lo:hi].copy_(v)
        self.length = hi
        return self._keys[:, :, :hi], self._values[:, :, :hi]

    def reset(self):
        self.length = 0


class SlidingWindowCache:
    def __init__(self, batch, n_heads, window, head_dim, dtype=torch.float32, device=None):
        self.w = window
        self.ring_k = torch.zeros(batch, n_heads, window, head_dim, dtype=dtype, device=device)
        self.ring_v = torch.zeros(batch, n_heads, window, head_dim, dtype=dtype, device=device)
        self.length = 0

    def update(self, k, v):
        want = (self.ring_k.size(0), self.ring_k.size(1), k.size(2), self.ring_k.size(3))
        if tuple(k.shape) != want or tuple(v.shape) != want:
            raise ValueError(f"expected k and v of shape {want}, got {tuple(k.shape)}, {tuple(v.shape)}")
        T = k.size(2)
        keep = min(T, self.w)
        pos = torch.arange(self.length + T - keep, self.length + T, device=self.ring_k.device)
        self.ring_k.index_copy_(2, pos % self.w, k[:, :, T - keep:])
        self.ring_v.index_copy_(2, pos % self.w, v[:, :, T - keep:])
        self.length += T
        if self.length <= self.w:
            return self.ring_k[:, :, :self.length], self.ring_v[:, :, :self.length]
        shift = -(self.length % self.w)  # bring the oldest slot to the front
        return torch.roll(self.ring_k, shift, dims=2), torch.roll(self.ring_v, shift, dims=2)

    def reset(self):
        self.length = 0


class CachedSelfAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.n_heads, self.head_dim = n_heads, d_model // n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)

    def _cos_sin(self, start, T, like):
        D = self.head_dim
        freqs = 1.0 / (10000.0 ** (torch.arange(0, D, 2, dtype=torch.float64, device=like.device) / D))
        t = torch.arange(start, start + T, dtype=torch.float64, device=like.device)
        ang = torch.outer(t, freqs)
        ang = torch.cat([ang, ang], dim=-1)  # (T, D): both halves of a pair share an angle
        return ang.cos().to(like.dtype), ang.sin().to(like.dtype)

    @staticmethod
    def _rotate_half(x):
        a, b = x.chunk(2, dim=-1)
        return torch.cat([-b, a], dim=-1)

    def forward(self, x, cache=None):
        B, T, C = x.shape
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        heads = lambda t: t.reshape(B, T, self.n_heads, self.head_dim).transpose(1, 2)
        q, k, v = heads(q), heads(k), heads(v)
        start = cache.length if cache is not None else 0
        cos, sin = self._cos_sin(start, T, q)
        q = q * cos + self._rotate_half(q) * sin
        k = k * cos + self._rotate_half(k) * sin
        if cache is not None:
            k, v = cache.update(k, v)
        S = k.size(2)
        bias = torch.zeros(T, S, dtype=q.dtype, device=x.device)
        bias = bias.masked_fill(torch.ones(T, S, dtype=torch.bool, device=x.device).triu(S - T + 1), float("-inf"))
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=bias, scale=1.0 / math.sqrt(self.head_dim))
        return self.proj(out.transpose(1, 2).reshape(B, T, C))

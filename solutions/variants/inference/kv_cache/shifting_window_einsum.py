"""Correct variant: torch.empty buffers written with copy_, a shifting (not ring) sliding window, RoPE by complex multiplication, einsum attention with an arange-built bottom-right mask."""

import math

import torch
import torch.nn as nn


def _expect(buf, k, v):
    B, H, _, D = buf.shape
    if k.shape != v.shape or k.dim() != 4 or (k.shape[0], k.shape[1], k.shape[3]) != (B, H, D):
        raise ValueError(f"expected k and v of shape ({B}, {H}, T, {D}), got {tuple(k.shape)} and {tuple(v.shape)}")


class KVCache:
    def __init__(self, batch, n_heads, max_len, head_dim, dtype=torch.float32, device=None):
        self.capacity = max_len
        self.buf = {name: torch.empty(batch, n_heads, max_len, head_dim, dtype=dtype, device=device)
                    for name in ("k", "v")}
        self.n = 0

    @property
    def length(self):
        return self.n

    def update(self, k, v):
        _expect(self.buf["k"], k, v)
        T = k.shape[2]
        if self.n + T > self.capacity:
            raise ValueError(f"cannot store {self.n + T} positions in a cache of {self.capacity}")
        self.buf["k"].narrow(2, self.n, T).copy_(k)
        self.buf["v"].narrow(2, self.n, T).copy_(v)
        self.n += T
        return self.buf["k"].narrow(2, 0, self.n), self.buf["v"].narrow(2, 0, self.n)

    def reset(self):
        self.n = 0


class SlidingWindowCache:
    """Keeps the window in position order by shifting it left as tokens arrive."""

    def __init__(self, batch, n_heads, window, head_dim, dtype=torch.float32, device=None):
        self.window = window
        self.keys = torch.zeros(batch, n_heads, window, head_dim, dtype=dtype, device=device)
        self.values = torch.zeros(batch, n_heads, window, head_dim, dtype=dtype, device=device)
        self.length = 0

    def update(self, k, v):
        _expect(self.keys, k, v)
        W, T = self.window, k.shape[2]
        for buf, new in ((self.keys, k), (self.values, v)):
            if T >= W:
                buf.copy_(new[:, :, T - W:])
            else:
                buf[:, :, :W - T] = buf[:, :, T:].clone()
                buf[:, :, W - T:] = new
        self.length += T
        n = min(self.length, W)
        return self.keys[:, :, W - n:], self.values[:, :, W - n:]

    def reset(self):
        self.length = 0


def rotate(x, start):
    """Rotate-half RoPE: pair (i, i + D/2) as the complex number x_i + j x_{i+D/2}."""
    T, D = x.shape[-2], x.shape[-1]
    wide = torch.float64
    theta = torch.pow(10000.0, -2 * torch.arange(D // 2, dtype=wide, device=x.device) / D)
    angle = torch.arange(start, start + T, dtype=wide, device=x.device)[:, None] * theta
    rot = torch.polar(torch.ones_like(angle), angle).to(torch.complex128 if x.dtype == torch.float64
                                                        else torch.complex64)
    z = torch.complex(x[..., :D // 2], x[..., D // 2:]) * rot
    return torch.cat([z.real, z.imag], dim=-1)


class CachedSelfAttention(nn.Module):
    def __init__(self, d_model, n_heads):
        super().__init__()
        self.h = n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)

    def forward(self, x, cache=None):
        B, T, C = x.shape
        D = C // self.h
        qkv = self.qkv(x).reshape(B, T, 3, self.h, D)
        q, k, v = (qkv[:, :, i].permute(0, 2, 1, 3) for i in range(3))
        start = 0 if cache is None else cache.length
        q, k = rotate(q, start), rotate(k, start)
        if cache is not None:
            k, v = cache.update(k, v)
        S = k.shape[2]
        scores = torch.einsum("bhtd,bhsd->bhts", q, k) / math.sqrt(D)
        qpos = torch.arange(T, device=x.device)[:, None] + (S - T)
        kpos = torch.arange(S, device=x.device)[None, :]
        scores = scores.masked_fill(kpos > qpos, float("-inf"))
        out = torch.einsum("bhts,bhsd->bhtd", scores.softmax(-1), v)
        return self.proj(out.permute(0, 2, 1, 3).reshape(B, T, C))

"""Precomputes RoPE's inverse frequencies once, in __init__, as a float32 buffer
(register_buffer("inv_freq", ...)). model.double() converts the buffer to float64, but its
values were already rounded to float32: every angle p * theta_i of a float64 model is then
~1e-7 off, where float64 promises ~1e-16 (a float32 default state in a .double()'d module).

Fix: compute the frequencies in float64 (torch.arange(..., dtype=torch.float64)), or build
them in forward from x's dtype (float64 for float64 inputs)."""

import math

import torch
import torch.nn.functional as F

from solutions.inference.kv_cache import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.kv_cache import CachedSelfAttention as _Correct


class CachedSelfAttention(_Correct):
    def __init__(self, d_model, n_heads):
        super().__init__(d_model, n_heads)
        D = d_model // n_heads
        self.register_buffer("inv_freq", 10000.0 ** (-torch.arange(0, D, 2) / D), persistent=False)

    def _rope(self, x, start):
        T, D = x.shape[-2], x.shape[-1]
        pos = torch.arange(start, start + T, dtype=self.inv_freq.dtype, device=x.device)
        angles = pos[:, None] * self.inv_freq
        cos, sin = angles.cos().to(x.dtype), angles.sin().to(x.dtype)
        a, b = x[..., :D // 2], x[..., D // 2:]
        return torch.cat([a * cos - b * sin, b * cos + a * sin], dim=-1)

    def forward(self, x, cache=None):
        B, T, C = x.shape
        H = self.n_heads
        q, k, v = self.qkv(x).split(C, dim=-1)
        q, k, v = (t.view(B, T, H, C // H).transpose(1, 2) for t in (q, k, v))
        start = cache.length if cache is not None else 0
        q, k = self._rope(q, start), self._rope(k, start)
        if cache is not None:
            k, v = cache.update(k, v)
        S = k.shape[2]
        mask = None if T == 1 else torch.ones(T, S, dtype=torch.bool, device=x.device).tril(diagonal=S - T)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=1 / math.sqrt(C // H))
        return self.proj(out.transpose(1, 2).reshape(B, T, C))

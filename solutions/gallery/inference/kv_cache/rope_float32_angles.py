"""Builds RoPE's angles from torch.arange(...) without a dtype, i.e. in float32 (positions and
frequencies), and casts cos/sin to x's dtype afterwards. For float32 models that is the
usual choice, but a float64 model then gets float32 angles: p * theta_i is off by ~1e-7
(more at long positions), so float64 decoding misses its reference by ~1e-7 where float64
promises ~1e-16.

Fix: build the positions and frequencies in float64 (or in x.dtype when that is wider), then
cast cos and sin to x.dtype."""

import math

import torch
import torch.nn.functional as F

from solutions.inference.kv_cache import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.kv_cache import CachedSelfAttention as _Correct


def _rope32(x, start, base=10000.0):
    T, D = x.shape[-2], x.shape[-1]
    inv_freq = base ** (-torch.arange(0, D, 2, device=x.device) / D)  # float32
    angles = torch.arange(start, start + T, device=x.device)[:, None] * inv_freq
    cos, sin = angles.cos().to(x.dtype), angles.sin().to(x.dtype)
    a, b = x[..., :D // 2], x[..., D // 2:]
    return torch.cat([a * cos - b * sin, b * cos + a * sin], dim=-1)


class CachedSelfAttention(_Correct):
    def forward(self, x, cache=None):
        B, T, C = x.shape
        H = self.n_heads
        q, k, v = self.qkv(x).split(C, dim=-1)
        q, k, v = (t.view(B, T, H, C // H).transpose(1, 2) for t in (q, k, v))
        start = cache.length if cache is not None else 0
        q, k = _rope32(q, start), _rope32(k, start)
        if cache is not None:
            k, v = cache.update(k, v)
        S = k.shape[2]
        mask = None if T == 1 else torch.ones(T, S, dtype=torch.bool, device=x.device).tril(diagonal=S - T)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=1 / math.sqrt(C // H))
        return self.proj(out.transpose(1, 2).reshape(B, T, C))

"""Builds RoPE's positions and frequencies with torch.arange(...) and no device=: the cos and
sin tables live on the CPU whatever device q and k are on. On the CPU every value is right;
on a GPU the first rotation multiplies CUDA heads by CPU tables and fails.

Fix: torch.arange(..., dtype=torch.float64, device=x.device) for the positions and the
frequencies (or move cos and sin to x.device)."""

import math

import torch
import torch.nn.functional as F

from solutions.inference.kv_cache import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.kv_cache import CachedSelfAttention as _Correct


def _rope_on_cpu(x, start, base=10000.0):
    T, D = x.shape[-2], x.shape[-1]
    inv_freq = base ** (-torch.arange(0, D, 2, dtype=torch.float64) / D)  # no device=
    angles = torch.arange(start, start + T, dtype=torch.float64)[:, None] * inv_freq
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
        q, k = _rope_on_cpu(q, start), _rope_on_cpu(k, start)
        if cache is not None:
            k, v = cache.update(k, v)
        S = k.shape[2]
        mask = None if T == 1 else torch.ones(T, S, dtype=torch.bool, device=x.device).tril(diagonal=S - T)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=1 / math.sqrt(C // H))
        return self.proj(out.transpose(1, 2).reshape(B, T, C))

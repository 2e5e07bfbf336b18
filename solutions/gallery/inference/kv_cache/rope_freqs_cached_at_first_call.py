"""Caches RoPE's inverse frequencies on the module at the first forward, as a plain attribute
(self._inv_freq = ... in x's dtype, if it is None): a model that ran once in float32 and was then
.double()'d keeps the float32 frequencies (.double() converts parameters and buffers only), so
every angle p * theta_i of the float64 model is ~1e-7 off where float64 promises ~1e-16.

Fix: build the frequencies in forward from x's dtype and device every call (they are tiny), or
keep them as a float64 buffer."""

import math

import torch
import torch.nn.functional as F

from solutions.inference.kv_cache import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.kv_cache import CachedSelfAttention as _Correct


class CachedSelfAttention(_Correct):
    def _rope(self, x, start):
        T, D = x.shape[-2], x.shape[-1]
        if getattr(self, "_inv_freq", None) is None:  # computed once, in the first call's dtype
            self._inv_freq = 10000.0 ** (-torch.arange(0, D, 2, dtype=x.dtype, device=x.device) / D)
        pos = torch.arange(start, start + T, dtype=x.dtype, device=x.device)
        angles = pos[:, None] * self._inv_freq.to(x.dtype)
        cos, sin = angles.cos(), angles.sin()
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

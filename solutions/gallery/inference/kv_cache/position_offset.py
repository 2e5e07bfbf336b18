"""Wrong position offset: the new tokens are rotated as if they started at position 0, so
during decoding every new query and key gets RoPE angle 0 while the cached keys kept their
true positions. Relative positions (all RoPE cares about) come out wrong, and decoding no
longer matches the full forward. (Without RoPE, attention cannot tell the key order at all,
which is why this kata uses positions.)

Fix: the first new token sits at position cache.length (read it before cache.update);
rotate q and k at positions cache.length .. cache.length + T - 1."""

import math

import torch
import torch.nn.functional as F

from solutions.inference.kv_cache import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.kv_cache import CachedSelfAttention as _Correct, _rope


class CachedSelfAttention(_Correct):
    def forward(self, x: torch.Tensor, cache=None) -> torch.Tensor:
        B, T, C = x.shape
        H = self.n_heads
        q, k, v = self.qkv(x).split(C, dim=-1)
        q, k, v = (t.view(B, T, H, C // H).transpose(1, 2) for t in (q, k, v))
        q, k = _rope(q, 0), _rope(k, 0)  # always from position 0
        if cache is not None:
            k, v = cache.update(k, v)
        S = k.shape[2]
        mask = torch.ones(T, S, dtype=torch.bool).tril(diagonal=S - T)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=1 / math.sqrt(C // H))
        return self.proj(out.transpose(1, 2).reshape(B, T, C))

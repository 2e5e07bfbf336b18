"""Attends over the whole preallocated buffer at every decode step, hiding the unused
positions (length .. max_len - 1) with a mask. The values are right, but each step costs
work proportional to max_len, not to the context: a cache sized for 32k tokens makes the
first decode steps as slow as the last, and FLOPs per step no longer grow with the context.

Fix: attend over the keys cache.update returns (buffer[:, :, :length]), never the whole
buffer."""

import math

import torch
import torch.nn.functional as F

from solutions.inference.kv_cache import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.kv_cache import CachedSelfAttention as _Correct, KVCache, _rope


class CachedSelfAttention(_Correct):
    def forward(self, x, cache=None):
        B, T, C = x.shape
        H = self.n_heads
        q, k, v = self.qkv(x).split(C, dim=-1)
        q, k, v = (t.view(B, T, H, C // H).transpose(1, 2) for t in (q, k, v))
        start = cache.length if cache is not None else 0
        q, k = _rope(q, start), _rope(k, start)
        if isinstance(cache, KVCache):
            cache.update(k, v)
            k, v = cache.k, cache.v  # the whole (B, H, max_len, D) buffer
        elif cache is not None:
            k, v = cache.update(k, v)
        S = k.shape[2]
        used = start + T if isinstance(cache, KVCache) else S
        i = torch.arange(T, device=x.device)[:, None] + (used - T)
        j = torch.arange(S, device=x.device)[None, :]
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=j <= i, scale=1 / math.sqrt(C // H))
        return self.proj(out.transpose(1, 2).reshape(B, T, C))

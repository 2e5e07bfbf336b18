"""Builds the causal mask with torch.ones(T, S, dtype=torch.bool).tril(diagonal=S - T) and no
device=: the mask lives on the default device (the CPU) whatever device x is on. Every CPU
spec passes, but a model moved to a GPU fails at its first prefill or chunk: attention
gets CUDA queries and a CPU mask.

Fix: torch.ones(T, S, dtype=torch.bool, device=x.device).tril(diagonal=S - T); every helper
tensor made inside forward belongs on x's device."""

import math

import torch
import torch.nn.functional as F

from solutions.inference.kv_cache import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.kv_cache import CachedSelfAttention as _Correct, _rope


class CachedSelfAttention(_Correct):
    def forward(self, x, cache=None):
        B, T, C = x.shape
        H = self.n_heads
        q, k, v = self.qkv(x).split(C, dim=-1)
        q, k, v = (t.view(B, T, H, C // H).transpose(1, 2) for t in (q, k, v))
        start = cache.length if cache is not None else 0
        q, k = _rope(q, start), _rope(k, start)
        if cache is not None:
            k, v = cache.update(k, v)
        S = k.shape[2]
        mask = torch.ones(T, S, dtype=torch.bool).tril(diagonal=S - T)  # on the default device
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=1 / math.sqrt(C // H))
        return self.proj(out.transpose(1, 2).reshape(B, T, C))

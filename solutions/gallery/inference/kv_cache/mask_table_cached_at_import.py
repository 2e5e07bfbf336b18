"""The causal mask cut from a 1024 x 1024 tril made once at import (_TRIL[S - T:S, :S]): right
for every call up to 1024 keys, but a prefill longer than the table (T = 1030) gets a mask
of the wrong size and attention fails.

Fix: build the mask for this call's T and S: torch.ones(T, S, dtype=torch.bool,
device=x.device).tril(diagonal=S - T)."""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from solutions.inference.kv_cache import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.kv_cache import KVCache, SlidingWindowCache, _rope

_TRIL = torch.ones(1024, 1024, dtype=torch.bool).tril()


class CachedSelfAttention(nn.Module):
    """Causal multi-head self-attention with RoPE that can decode through a cache."""

    def __init__(self, d_model: int, n_heads: int):
        super().__init__()
        assert d_model % n_heads == 0 and (d_model // n_heads) % 2 == 0
        self.n_heads = n_heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)

    def forward(self, x: torch.Tensor, cache: KVCache | SlidingWindowCache | None = None) -> torch.Tensor:
        """x (B, T, C) -> (B, T, C); with a cache, x holds the tokens after the cached ones."""
        B, T, C = x.shape
        H = self.n_heads
        q, k, v = self.qkv(x).split(C, dim=-1)
        q, k, v = (t.view(B, T, H, C // H).transpose(1, 2) for t in (q, k, v))  # (B, H, T, D)
        start = cache.length if cache is not None else 0
        q, k = _rope(q, start), _rope(k, start)
        if cache is not None:
            k, v = cache.update(k, v)  # every key/value so far: (B, H, S, D)
        S = k.shape[2]
        if T == 1:
            mask = None  # the newest token sees every key returned
        else:  # query i sits at key index S - T + i: the causal mask is aligned bottom-right
            mask = _TRIL[S - T:S, :S].to(x.device)  # wrong: at most 1024 positions
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=1 / math.sqrt(C // H))
        return self.proj(out.transpose(1, 2).reshape(B, T, C))

"""A top-left causal mask with a cache: F.scaled_dot_product_attention(..., is_causal=True)
builds tril(ones(T, S)) aligned at the top-left corner. With T new queries and S = cached + T
keys, query 0 (really at position S - T) then sees only key 0. Token-by-token decoding
hides the bug (T = 1 is special-cased below, as it often is), a chunk of new tokens after a
prefill shows it.

Fix: the new queries are the last T of the S keys; query t sees key j when j <= S - T + t:
attn_mask = torch.ones(T, S, dtype=torch.bool).tril(diagonal=S - T)."""

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
        start = cache.length if cache is not None else 0
        q, k = _rope(q, start), _rope(k, start)
        if cache is not None:
            k, v = cache.update(k, v)
        out = F.scaled_dot_product_attention(q, k, v, is_causal=T > 1, scale=1 / math.sqrt(C // H))
        return self.proj(out.transpose(1, 2).reshape(B, T, C))

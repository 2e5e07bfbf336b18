"""Makes the causal mask with a functools.lru_cache'd helper keyed by (T, S), on the default
device: the first call of those sizes caches a CPU mask, and every later one reuses it, on
whatever device the model has moved to since; on a GPU attention fails with "Tensor on device
cpu is not on the expected device" (here: the meta device).

Fix: build the mask in forward on x's device at every call (it is tiny), or pass the device
to the cached helper (lru_cache keys on every argument)."""

import functools
import math

import torch
import torch.nn.functional as F

from solutions.inference.kv_cache import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.kv_cache import CachedSelfAttention as _Correct
from solutions.inference.kv_cache import _rope


@functools.lru_cache(maxsize=None)
def _causal_mask(T, S):
    return torch.ones(T, S, dtype=torch.bool).tril(diagonal=S - T)


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
        mask = None
        if T > 1:
            mask = _causal_mask(T, S)  # wrong: cached per (T, S), made on the default device
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=1 / math.sqrt(C // H))
        return self.proj(out.transpose(1, 2).reshape(B, T, C))

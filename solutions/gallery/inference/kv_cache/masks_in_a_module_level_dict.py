"""Caches causal masks in a module-level dict keyed by (T, S) only (not by device): the first
call of those sizes makes the mask on x's device, and every later one reuses it, on whatever
device the model has moved to since; on a GPU after a CPU call attention fails with "Tensor on
device cpu is not on the expected device" (here: the meta device).

Fix: build the mask in forward on x's device at every call (it is tiny), or key a cache by
(T, S, device)."""

import math

import torch
import torch.nn.functional as F

from solutions.inference.kv_cache import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.kv_cache import CachedSelfAttention as _Correct
from solutions.inference.kv_cache import _rope


_MASKS = {}


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
            if (T, S) not in _MASKS:  # wrong: keyed by shape only, kept across devices
                _MASKS[(T, S)] = torch.ones(T, S, dtype=torch.bool, device=x.device).tril(diagonal=S - T)
            mask = _MASKS[(T, S)]
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=1 / math.sqrt(C // H))
        return self.proj(out.transpose(1, 2).reshape(B, T, C))

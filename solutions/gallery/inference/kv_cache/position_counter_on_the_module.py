"""Keeps RoPE's position counter on the module (reset when an empty cache comes in, advanced
by T at every cached call) instead of reading cache.length: one model decoding one sequence
gets every position right, but a model serving two sequences in turn, each with its own cache,
rotates one sequence's tokens at the other's positions.

Fix: start = cache.length of the cache passed in, read at every call (0 without a cache)."""

import math

import torch
import torch.nn.functional as F

from solutions.inference.kv_cache import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.kv_cache import CachedSelfAttention as _Correct
from solutions.inference.kv_cache import _rope


class CachedSelfAttention(_Correct):
    def forward(self, x, cache=None):
        B, T, C = x.shape
        H = self.n_heads
        q, k, v = self.qkv(x).split(C, dim=-1)
        q, k, v = (t.view(B, T, H, C // H).transpose(1, 2) for t in (q, k, v))
        if cache is None:
            start = 0
        else:  # wrong: a position counter on the model, not the length of the cache passed in
            if cache.length == 0:
                self._pos = 0
            start = self._pos
            self._pos = start + T
        q, k = _rope(q, start), _rope(k, start)
        if cache is not None:
            k, v = cache.update(k, v)
        S = k.shape[2]
        mask = None if T == 1 else torch.ones(T, S, dtype=torch.bool, device=x.device).tril(diagonal=S - T)
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=1 / math.sqrt(C // H))
        return self.proj(out.transpose(1, 2).reshape(B, T, C))

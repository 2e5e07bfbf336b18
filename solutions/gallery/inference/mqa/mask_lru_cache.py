"""Makes the prefill's causal mask with a functools.lru_cache'd helper keyed by T, on the
default device: the first call of a length caches a CPU mask, and every later one reuses it,
on whatever device the model has moved to since; on a GPU the prefill fails with "Tensor on
device cpu is not on the expected device" (here: the meta device).

Fix: build the mask in forward on x's device at every call (it is tiny), or pass the device
to the cached helper (lru_cache keys on every argument)."""

import functools

import torch

from solutions.inference.mqa import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.mqa import MultiQueryAttention as _Correct


@functools.lru_cache(maxsize=None)
def _causal_mask(T):
    return torch.ones(T, T, dtype=torch.bool).tril()


class MultiQueryAttention(_Correct):
    def forward(self, x, cache=None):
        B, T, C = x.shape
        q = self.q_proj(x).view(B, T, self.n_heads, self.head_dim).transpose(1, 2)
        k, v = self.k_proj(x).unsqueeze(1), self.v_proj(x).unsqueeze(1)
        if cache is not None:
            k, v = cache.update(k, v)
        s = q @ k.transpose(-2, -1) / self.head_dim ** 0.5
        if T > 1:  # a prefill: causal
            s = s.masked_fill(~_causal_mask(T), float("-inf"))  # cached per T, made on the default device
        out = torch.softmax(s, dim=-1) @ v
        return self.o_proj(out.transpose(1, 2).reshape(B, T, C))

"""Caches causal masks in a module-level dict keyed by T only (not by device): the first call
makes the mask on x's device, and every later call of that length reuses it, on whatever
device the model has moved to since; on a GPU after a CPU call it fails with "Tensor on device
cpu is not on the expected device" (here: the meta device).

Fix: build the mask in forward on x's device at every call (it is tiny), or key a cache by
(T, device)."""

import torch

from solutions.inference.mqa import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.mqa import MultiQueryAttention as _Correct

_MASKS = {}


class MultiQueryAttention(_Correct):
    def forward(self, x, cache=None):
        B, T, C = x.shape
        q = self.q_proj(x).view(B, T, self.n_heads, self.head_dim).transpose(1, 2)
        k, v = self.k_proj(x).unsqueeze(1), self.v_proj(x).unsqueeze(1)
        if cache is not None:
            k, v = cache.update(k, v)
        s = q @ k.transpose(-2, -1) / self.head_dim ** 0.5
        if T > 1:  # a prefill: causal
            if T not in _MASKS:
                _MASKS[T] = torch.ones(T, T, dtype=torch.bool, device=x.device).tril()  # keyed by T only
            s = s.masked_fill(~_MASKS[T], float("-inf"))
        out = torch.softmax(s, dim=-1) @ v
        return self.o_proj(out.transpose(1, 2).reshape(B, T, C))

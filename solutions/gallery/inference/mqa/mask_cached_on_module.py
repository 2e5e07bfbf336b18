"""Caches the causal mask on the module as a plain attribute at the first prefill: it is made
on x's device then, but a model that ran on the CPU and was then moved with .to("cuda") keeps
the CPU mask (.to() moves parameters and buffers only), and the next prefill fails with
"Tensor on device cpu is not on the expected device" (here: the meta device).

Fix: build the mask in forward on x's device at every call (it is tiny), or register_buffer it."""

import torch

from solutions.inference.mqa import *  # noqa: F401,F403 (the rest is correct)
from solutions.inference.mqa import MultiQueryAttention as _Correct


class MultiQueryAttention(_Correct):
    def forward(self, x, cache=None):
        B, T, C = x.shape
        q = self.q_proj(x).view(B, T, self.n_heads, self.head_dim).transpose(1, 2)
        k, v = self.k_proj(x).unsqueeze(1), self.v_proj(x).unsqueeze(1)
        if cache is not None:
            k, v = cache.update(k, v)
        s = q @ k.transpose(-2, -1) / self.head_dim ** 0.5
        if T > 1:  # a prefill: causal
            if getattr(self, "_mask", None) is None or self._mask.shape[0] < T:
                self._mask = torch.ones(64, 64, dtype=torch.bool, device=x.device).tril()  # kept: stays put
            s = s.masked_fill(~self._mask[:T, :T], float("-inf"))
        out = torch.softmax(s, dim=-1) @ v
        return self.o_proj(out.transpose(1, 2).reshape(B, T, C))

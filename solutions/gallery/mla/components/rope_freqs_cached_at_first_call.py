"""Caches RoPE's inverse frequencies on the module at the first call, as a plain attribute
(self._inv_freq = ... in x's dtype, if it is None): a module that ran once in float32 and was
then .double()'d keeps the float32 frequencies (.double() converts parameters and buffers only),
so its float64 q_rope and k_rope are ~1e-6 off at position 50 where float64 promises ~1e-16.

Fix: build the frequencies from x's dtype and device at every call (rope_interleaved does)."""

import torch

from solutions.mla.components import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.components import MLAProjections as _Correct


class MLAProjections(_Correct):
    def _rope(self, x, positions):
        d = x.shape[-1]
        if getattr(self, "_inv_freq", None) is None:  # computed once, in the first call's dtype
            self._inv_freq = self.config.rope_theta ** (
                -torch.arange(0, d, 2, dtype=x.dtype, device=x.device) / d)
        angles = positions.to(x.dtype)[..., None] * self._inv_freq.to(x.dtype)
        cos, sin = angles.cos(), angles.sin()
        a, b = x[..., 0::2], x[..., 1::2]
        return torch.stack([a * cos - b * sin, b * cos + a * sin], dim=-1).flatten(-2)

    def queries(self, x, positions):
        B, T, _ = x.shape
        if self.config.q_lora_rank:
            q = self.q_b_proj(self.q_a_layernorm(self.q_a_proj(x)))
        else:
            q = self.q_proj(x)
        q = q.view(B, T, self.num_heads, self.nope + self.rope).transpose(1, 2)
        q_nope, q_rope = q.split([self.nope, self.rope], dim=-1)
        return q_nope, self._rope(q_rope, positions)

    def latent(self, x, positions):
        c_kv, k_rope = self.kv_a_proj_with_mqa(x).split([self.kv_lora_rank, self.rope], dim=-1)
        return self.kv_a_layernorm(c_kv), self._rope(k_rope, positions)

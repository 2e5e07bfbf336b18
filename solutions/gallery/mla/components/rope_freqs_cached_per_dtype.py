"""Caches RoPE's inverse frequencies on the module as a plain attribute, rebuilt when x's dtype
changes but not when its device does: a module that ran once on the CPU and was then moved with
.to("cuda") keeps the CPU table (.to() moves parameters and buffers only), and the rotation
fails with "Tensor on device cpu is not on the expected device" (here: the meta device).

Fix: build the frequencies from x's dtype and device at every call (rope_interleaved does)."""

import torch

from solutions.mla.components import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.components import MLAProjections as _Correct


class MLAProjections(_Correct):
    def _rope(self, x, positions):
        d = x.shape[-1]
        if getattr(self, "_inv_freq", None) is None or self._inv_freq.dtype != x.dtype:  # not the device
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

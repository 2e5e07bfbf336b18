"""rope_theta ignored: the rotation frequencies are theta^(-2i/d) with theta = config.rope_theta
(10000 for DeepSeek-V2/V3, but any model may set its own). Calling rope_interleaved without it
always uses the default 10000, so a config with another base gets the wrong angles.
Fix: pass self.config.rope_theta to every RoPE call."""

import torch

from solutions.mla.components import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.components import MLAProjections as _Correct, rope_interleaved


class MLAProjections(_Correct):
    def queries(self, x: torch.Tensor, positions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        q_nope, _ = super().queries(x, positions)
        q_rope = self._raw_q_rope(x)
        return q_nope, rope_interleaved(q_rope, positions)  # wrong: default theta

    def _raw_q_rope(self, x):
        B, T, _ = x.shape
        if self.config.q_lora_rank:
            q = self.q_b_proj(self.q_a_layernorm(self.q_a_proj(x)))
        else:
            q = self.q_proj(x)
        return q.view(B, T, self.num_heads, self.nope + self.rope).transpose(1, 2)[..., self.nope:]

    def latent(self, x: torch.Tensor, positions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        c_kv, k_rope = self.kv_a_proj_with_mqa(x).split([self.kv_lora_rank, self.rope], dim=-1)
        return self.kv_a_layernorm(c_kv), rope_interleaved(k_rope, positions)  # wrong: default theta

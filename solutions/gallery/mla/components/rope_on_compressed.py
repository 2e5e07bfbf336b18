"""RoPE applied to the compressed part: rotating the latent c_kv makes every key depend on its
position through kv_b_proj, so the up-projection can no longer be folded into the query (the
absorbed path needs W_UK to commute with the rotation, and it does not). That is why MLA
DECOUPLES RoPE: c_kv carries no position, and a separate small key k_rope (the last
qk_rope_head_dim outputs of kv_a_proj_with_mqa) is rotated and cached next to it.
Fix: c_kv = kv_a_layernorm(latent part), no rotation; rotate k_rope only."""

import torch

from solutions.mla.components import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.components import MLAProjections as _Correct, rope_interleaved


class MLAProjections(_Correct):
    def latent(self, x: torch.Tensor, positions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        c_kv, k_rope = self.kv_a_proj_with_mqa(x).split([self.kv_lora_rank, self.rope], dim=-1)
        c_kv = rope_interleaved(self.kv_a_layernorm(c_kv), positions, self.config.rope_theta)  # wrong
        return c_kv, rope_interleaved(k_rope, positions, self.config.rope_theta)

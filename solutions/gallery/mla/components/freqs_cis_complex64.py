"""A precomputed complex64 freqs_cis table (DeepSeek's precompute_freqs_cis) registered as a
buffer: module.to(torch.float64) leaves complex buffers alone, so a float64 module still rotates
with float32 angles (~1e-6 off), and the table caps positions at max_position_embeddings.

Fix: compute the angles on the fly in x's dtype (or rebuild the table in x's dtype).
"""

import torch

from solutions.mla.components import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.components import MLAProjections as _Correct


class MLAProjections(_Correct):
    def __init__(self, config):
        super().__init__(config)
        d = config.qk_rope_head_dim
        freqs = 1.0 / config.rope_theta ** (torch.arange(0, d, 2).float() / d)
        angles = torch.outer(torch.arange(config.max_position_embeddings).float(), freqs)
        self.register_buffer("freqs_cis", torch.polar(torch.ones_like(angles), angles), persistent=False)

    def _rope(self, t, positions):
        z = torch.view_as_complex(t.float().reshape(*t.shape[:-1], -1, 2).contiguous())
        return torch.view_as_real(z * self.freqs_cis[positions]).flatten(-2).to(t.dtype)  # complex64

    def queries(self, x, positions):
        B, T, _ = x.shape
        q = self.q_b_proj(self.q_a_layernorm(self.q_a_proj(x))) if self.config.q_lora_rank else self.q_proj(x)
        q = q.view(B, T, self.num_heads, self.nope + self.rope).transpose(1, 2)
        q_nope, q_rope = q.split([self.nope, self.rope], dim=-1)
        return q_nope, self._rope(q_rope, positions)

    def latent(self, x, positions):
        c_kv, k_rope = self.kv_a_proj_with_mqa(x).split([self.kv_lora_rank, self.rope], dim=-1)
        return self.kv_a_layernorm(c_kv), self._rope(k_rope, positions)

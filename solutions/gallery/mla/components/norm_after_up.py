"""Norm placed after the up-projection: DeepSeek normalises the LATENTS, between the down- and
the up-projection: q = q_b_proj(q_a_layernorm(q_a_proj(x))) and c_kv = kv_a_layernorm(...)
before kv_b_proj. Normalising the up-projected queries/keys/values instead changes every value,
gives the norms the wrong sizes (DeepSeek's checkpoints do not load), and leaves an
un-normalised latent in the cache. Fix: q_a_layernorm = RMSNorm(q_lora_rank) on q_a_proj's
output; kv_a_layernorm = RMSNorm(kv_lora_rank) on the latent part of kv_a_proj_with_mqa."""

import torch

from solutions.mla.components import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.components import MLAProjections as _Correct, RMSNorm, rope_interleaved


class MLAProjections(_Correct):
    def __init__(self, config):
        super().__init__(config)
        H, eps = self.num_heads, config.rms_norm_eps
        if config.q_lora_rank:
            self.q_a_layernorm = RMSNorm(H * (self.nope + self.rope), eps=eps)  # wrong place
        self.kv_a_layernorm = RMSNorm(H * (self.nope + self.v_dim), eps=eps)    # wrong place

    def queries(self, x: torch.Tensor, positions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        B, T, _ = x.shape
        if self.config.q_lora_rank:
            q = self.q_a_layernorm(self.q_b_proj(self.q_a_proj(x)))
        else:
            q = self.q_proj(x)
        q = q.view(B, T, self.num_heads, self.nope + self.rope).transpose(1, 2)
        q_nope, q_rope = q.split([self.nope, self.rope], dim=-1)
        return q_nope, rope_interleaved(q_rope, positions, self.config.rope_theta)

    def latent(self, x: torch.Tensor, positions: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        c_kv, k_rope = self.kv_a_proj_with_mqa(x).split([self.kv_lora_rank, self.rope], dim=-1)
        return c_kv, rope_interleaved(k_rope, positions, self.config.rope_theta)

    def expand_kv(self, c_kv: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        B, S, _ = c_kv.shape
        kv = self.kv_a_layernorm(self.kv_b_proj(c_kv))
        kv = kv.view(B, S, self.num_heads, self.nope + self.v_dim).transpose(1, 2)
        return kv.split([self.nope, self.v_dim], dim=-1)

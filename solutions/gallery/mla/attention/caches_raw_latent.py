"""Caching the un-normalised latent: the cache must hold c_kv AFTER kv_a_layernorm (DeepSeek:
kv_cache = kv_norm(kv)), so that each step reads it as it is. Storing the raw latent and
normalising on every read gives the same attention but a cache that is not MLA's: every step
pays the norm again over the whole context, and anything else reading the cache (another
attention path, a kernel, a saved prompt cache) gets un-normalised values. Fix: cache exactly
what latent() returns: the normalised c_kv and the rotated k_rope."""

from typing import Optional

import torch

from solutions.mla.attention import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.attention import MLACache, MultiHeadLatentAttention as _Correct


class MultiHeadLatentAttention(_Correct):
    def forward(self, x: torch.Tensor, cache: Optional[MLACache] = None, start_pos: int = 0,
                absorb: bool = False) -> torch.Tensor:
        B, T, _ = x.shape
        positions = torch.arange(start_pos, start_pos + T, device=x.device)
        q_nope, q_rope = self.queries(x, positions)
        _, k_rope = self.latent(x, positions)
        raw = self.kv_a_proj_with_mqa(x)[..., : self.kv_lora_rank]
        key_positions = positions
        if cache is not None:
            raw, k_rope = cache.update(raw, k_rope, start_pos)  # wrong: the raw latent is cached
            key_positions = torch.arange(raw.shape[1], device=x.device)
        c_kv = self.kv_a_layernorm(raw)                          # ... and normalised on every read
        visible = key_positions[None, :] <= positions[:, None]
        rope_scores = torch.einsum("bhtd,bsd->bhts", q_rope, k_rope)
        w = self.kv_b_proj.weight.view(self.num_heads, self.nope + self.v_dim, self.kv_lora_rank)
        if absorb:
            q_latent = torch.einsum("bhtd,hdc->bhtc", q_nope, w[:, : self.nope])
            scores = torch.einsum("bhtc,bsc->bhts", q_latent, c_kv) + rope_scores
        else:
            k_nope, v = self.expand_kv(c_kv)
            scores = q_nope @ k_nope.transpose(-1, -2) + rope_scores
        probs = (scores * self.softmax_scale).masked_fill(~visible, float("-inf")).softmax(dim=-1)
        if absorb:
            o = torch.einsum("bhtc,hvc->bhtv", torch.einsum("bhts,bsc->bhtc", probs, c_kv), w[:, self.nope:])
        else:
            o = probs @ v
        return self.o_proj(o.transpose(1, 2).reshape(B, T, self.num_heads * self.v_dim))

"""Caching full K/V: storing every head's decompressed key (nope + rope) and value per token is
what Hugging Face's DeepSeek-V3 and DeepSeek's "naive" attn_impl do, and it throws MLA's
saving away: 4 * (12 + 8 + 10) = 120 values per token here instead of 24 + 8 = 32, and for
DeepSeek-V3 40,960 instead of 576, growing with the number of heads. Fix: the cache holds only
c_kv (the normalised latent) and k_rope (the rotated rope key); the naive path re-expands
c_kv with kv_b_proj at every step, the absorbed path never expands it."""

from typing import Optional

import torch

from solutions.mla.attention import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.attention import MultiHeadLatentAttention as _Correct


class MLACache:
    def __init__(self, config, batch_size: int, max_len: int, dtype: torch.dtype = torch.float32,
                 device: Optional[torch.device] = None):
        H = config.num_attention_heads
        qk = config.qk_nope_head_dim + config.qk_rope_head_dim
        self.k = torch.zeros(batch_size, H, max_len, qk, dtype=dtype, device=device)  # wrong: per head
        self.v = torch.zeros(batch_size, H, max_len, config.v_head_dim, dtype=dtype, device=device)

    def update(self, k: torch.Tensor, v: torch.Tensor, start_pos: int):
        B, T = k.shape[0], k.shape[2]
        end = start_pos + T
        if end > self.k.shape[2] or B > self.k.shape[0]:
            raise ValueError("cache overflow")
        self.k[:B, :, start_pos:end] = k
        self.v[:B, :, start_pos:end] = v
        return self.k[:B, :, :end], self.v[:B, :, :end]


class MultiHeadLatentAttention(_Correct):
    def forward(self, x: torch.Tensor, cache: Optional[MLACache] = None, start_pos: int = 0,
                absorb: bool = False) -> torch.Tensor:
        B, T, _ = x.shape
        positions = torch.arange(start_pos, start_pos + T, device=x.device)
        q_nope, q_rope = self.queries(x, positions)
        c_kv, k_rope = self.latent(x, positions)
        k_nope, v = self.expand_kv(c_kv)
        k = torch.cat([k_nope, k_rope[:, None].expand(B, self.num_heads, T, self.rope)], dim=-1)
        key_positions = positions
        if cache is not None:
            k, v = cache.update(k, v, start_pos)
            key_positions = torch.arange(k.shape[2], device=x.device)
        q = torch.cat([q_nope, q_rope], dim=-1)
        scores = (q @ k.transpose(-1, -2)) * self.softmax_scale
        scores = scores.masked_fill(key_positions[None, :] > positions[:, None], float("-inf"))
        o = scores.softmax(dim=-1) @ v
        return self.o_proj(o.transpose(1, 2).reshape(B, T, self.num_heads * self.v_dim))

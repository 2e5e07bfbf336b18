"""The causal mask made additive with torch.zeros(visible.shape).masked_fill(~visible, -inf)
without dtype=: it follows torch's default dtype, so with the default set to float64 a float32
module's scores are promoted and the float64 weights then meet float32 values or latents.
"""

from typing import Optional

import torch
from torch import nn

from katas.mla.components import MLAConfig, MLAProjections


class MLACache:
    """The KV cache of one MLA layer: per token only the normalised latent and the rotated rope key."""

    def __init__(self, config: MLAConfig, batch_size: int, max_len: int,
                 dtype: torch.dtype = torch.float32, device: Optional[torch.device] = None):
        self.c_kv = torch.zeros(batch_size, max_len, config.kv_lora_rank, dtype=dtype, device=device)
        self.k_rope = torch.zeros(batch_size, max_len, config.qk_rope_head_dim, dtype=dtype, device=device)

    def update(self, c_kv: torch.Tensor, k_rope: torch.Tensor, start_pos: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Store positions start_pos .. start_pos+T-1; return everything cached up to them."""
        B, T, _ = c_kv.shape
        end = start_pos + T
        if B > self.c_kv.shape[0] or start_pos < 0 or end > self.c_kv.shape[1]:
            raise ValueError(f"cannot store batch {B} at positions {start_pos}..{end - 1} in a cache "
                             f"of batch {self.c_kv.shape[0]} and {self.c_kv.shape[1]} positions")
        self.c_kv[:B, start_pos:end] = c_kv
        self.k_rope[:B, start_pos:end] = k_rope
        return self.c_kv[:B, :end], self.k_rope[:B, :end]


class MultiHeadLatentAttention(MLAProjections):
    """MLA (DeepSeek-V2/V3): queries, a shared latent KV and rope key, and o_proj."""

    def __init__(self, config: MLAConfig):
        super().__init__(config)
        self.o_proj = nn.Linear(self.num_heads * self.v_dim, config.hidden_size, bias=False)
        self.softmax_scale = (self.nope + self.rope) ** -0.5

    def forward(self, x: torch.Tensor, cache: Optional[MLACache] = None, start_pos: int = 0,
                absorb: bool = False) -> torch.Tensor:
        """x (B, T, hidden) at positions start_pos.. -> (B, T, hidden); causal."""
        B, T, _ = x.shape
        positions = torch.arange(start_pos, start_pos + T, device=x.device)
        q_nope, q_rope = self.queries(x, positions)  # (B, H, T, nope), (B, H, T, rope)
        c_kv, k_rope = self.latent(x, positions)     # (B, T, r), (B, T, rope)
        if cache is not None:                        # keys: every cached position 0 .. start_pos+T-1
            c_kv, k_rope = cache.update(c_kv, k_rope, start_pos)
            key_positions = torch.arange(c_kv.shape[1], device=x.device)
        else:                                        # keys: the tokens of x only
            key_positions = positions
        visible = key_positions[None, :] <= positions[:, None]  # (T, S)

        # the rope part of every score: q_rope . k_rope, one rope key shared by all heads
        rope_scores = torch.einsum("bhtd,bsd->bhts", q_rope, k_rope)  # (B, H, T, S)
        if absorb:
            # kv_b_proj.weight (H * (nope + v), r) -> per head W_UK (nope, r) and W_UV (v, r)
            w = self.kv_b_proj.weight.view(self.num_heads, self.nope + self.v_dim, self.kv_lora_rank)
            w_uk, w_uv = w[:, : self.nope], w[:, self.nope:]
            # q_nope . (W_UK c) = (q_nope W_UK) . c: fold W_UK into the query, score the latents
            q_latent = torch.einsum("bhtd,hdc->bhtc", q_nope, w_uk)        # (B, H, T, r)
            scores = torch.einsum("bhtc,bsc->bhts", q_latent, c_kv) + rope_scores
        else:
            k_nope, v = self.expand_kv(c_kv)                 # (B, H, S, nope), (B, H, S, v)
            scores = q_nope @ k_nope.transpose(-1, -2) + rope_scores
        mask = torch.zeros(visible.shape, device=x.device).masked_fill(~visible, float("-inf"))  # default dtype
        scores = scores * self.softmax_scale + mask
        probs = scores.softmax(dim=-1)
        if absorb:
            o_latent = torch.einsum("bhts,bsc->bhtc", probs, c_kv)         # attend over latents
            o = torch.einsum("bhtc,hvc->bhtv", o_latent, w_uv)             # then W_UV: (B, H, T, v)
        else:
            o = probs @ v
        return self.o_proj(o.transpose(1, 2).reshape(B, T, self.num_heads * self.v_dim))

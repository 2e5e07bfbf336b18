"""Softmax computed in float32 and cast back (softmax(..., dtype=torch.float32).to(dtype)), as
Hugging Face's DeepseekV3Attention does for bf16: for a float64 module the attention weights
carry float32 rounding (~1e-7 relative), far from the float64 the contract promises.

Fix: scores.softmax(dim=-1) in the scores' own dtype.
"""

from typing import Optional

import torch

from solutions.mla.attention import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.attention import MLACache
from solutions.mla.attention import MultiHeadLatentAttention as _Correct


class MultiHeadLatentAttention(_Correct):
    def forward(self, x: torch.Tensor, cache: Optional[MLACache] = None, start_pos: int = 0,
                absorb: bool = False) -> torch.Tensor:
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
        scores = (scores * self.softmax_scale).masked_fill(~visible, float("-inf"))
        probs = scores.softmax(dim=-1, dtype=torch.float32).to(scores.dtype)  # wrong: float32
        if absorb:
            o_latent = torch.einsum("bhts,bsc->bhtc", probs, c_kv)         # attend over latents
            o = torch.einsum("bhtc,hvc->bhtv", o_latent, w_uv)             # then W_UV: (B, H, T, v)
        else:
            o = probs @ v
        return self.o_proj(o.transpose(1, 2).reshape(B, T, self.num_heads * self.v_dim))

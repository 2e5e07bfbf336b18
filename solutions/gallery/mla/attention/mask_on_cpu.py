"""Positions and the causal mask built on the default device: torch.arange(start_pos, start_pos
+ T) without device= is a CPU tensor, so the module fails as soon as it runs on a GPU (here: the
meta device) with "tensor on device cpu is not on the expected device".

Fix: torch.arange(..., device=x.device) for positions and key positions.
"""

import torch

from solutions.mla import attention as _sol
from solutions.mla.attention import *  # noqa: F401,F403 (the rest is correct)


class MultiHeadLatentAttention(_sol.MultiHeadLatentAttention):
    def forward(self, x, cache=None, start_pos=0, absorb=False):
        B, T, _ = x.shape
        positions = torch.arange(start_pos, start_pos + T)  # wrong: on the CPU
        q_nope, q_rope = self.queries(x, positions)
        c_kv, k_rope = self.latent(x, positions)
        if cache is not None:
            c_kv, k_rope = cache.update(c_kv, k_rope, start_pos)
            key_positions = torch.arange(c_kv.shape[1])
        else:
            key_positions = positions
        visible = key_positions[None, :] <= positions[:, None]
        rope_scores = torch.einsum("bhtd,bsd->bhts", q_rope, k_rope)
        w = self.kv_b_proj.weight.view(self.num_heads, self.nope + self.v_dim, self.kv_lora_rank)
        w_uk, w_uv = w[:, : self.nope], w[:, self.nope:]
        if absorb:
            scores = torch.einsum("bhtc,bsc->bhts", torch.einsum("bhtd,hdc->bhtc", q_nope, w_uk), c_kv)
        else:
            k_nope, v = self.expand_kv(c_kv)
            scores = q_nope @ k_nope.transpose(-1, -2)
        scores = ((scores + rope_scores) * self.softmax_scale).masked_fill(~visible, float("-inf"))
        probs = scores.softmax(-1)
        if absorb:
            o = torch.einsum("bhtc,hvc->bhtv", torch.einsum("bhts,bsc->bhtc", probs, c_kv), w_uv)
        else:
            o = probs @ v
        return self.o_proj(o.transpose(1, 2).reshape(B, T, self.num_heads * self.v_dim))

"""Attention over the whole preallocated cache: the forward reads cache.c_kv[:B] / cache.k_rope[:B]
(all max_len positions) and relies on the causal mask to hide the empty slots. The values come
out right, but every decode step costs as much as a step at max_len, whatever the context.

Fix: attend to the prefix cache.update returns (positions 0 .. start_pos + T - 1).
"""

import torch

from solutions.mla import attention as _sol
from solutions.mla.attention import *  # noqa: F401,F403 (the rest is correct)


class MultiHeadLatentAttention(_sol.MultiHeadLatentAttention):
    def forward(self, x, cache=None, start_pos=0, absorb=False):
        B, T, _ = x.shape
        positions = torch.arange(start_pos, start_pos + T, device=x.device)
        q_nope, q_rope = self.queries(x, positions)
        c_kv, k_rope = self.latent(x, positions)
        if cache is not None:
            cache.update(c_kv, k_rope, start_pos)
            c_kv, k_rope = cache.c_kv[:B], cache.k_rope[:B]  # wrong: all max_len positions
            key_positions = torch.arange(c_kv.shape[1], device=x.device)
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

"""The causal mask cached on the module: built at the first call for each (T, S) and kept in a
plain dict attribute. The values are right (the mask depends on T and S only), but .to() moves
parameters and buffers, not plain attributes: after a CPU call and .to("meta") (or .cuda()) the
kept mask stays on the CPU and the next call fails with a device mismatch.

Fix: build the mask from x's device at every call (or keep it in a registered buffer).
"""

from solutions.mla.attention import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.attention import MultiHeadLatentAttention as _Correct
import torch


class MultiHeadLatentAttention(_Correct):
    def forward(self, x, cache=None, start_pos=0, absorb=False):
        B, T, _ = x.shape
        positions = torch.arange(start_pos, start_pos + T, device=x.device)
        q_nope, q_rope = self.queries(x, positions)
        c_kv, k_rope = self.latent(x, positions)
        if cache is not None:
            c_kv, k_rope = cache.update(c_kv, k_rope, start_pos)
            key_positions = torch.arange(c_kv.shape[1], device=x.device)
        else:
            key_positions = positions
        if not hasattr(self, "_masks"):
            self._masks = {}
        key = (T, key_positions.shape[0])
        if key not in self._masks:  # wrong: kept on the module, on the first call's device
            self._masks[key] = key_positions[None, :] <= positions[:, None]
        visible = self._masks[key]
        rope_scores = torch.einsum("bhtd,bsd->bhts", q_rope, k_rope)
        if absorb:
            w = self.kv_b_proj.weight.view(self.num_heads, self.nope + self.v_dim, self.kv_lora_rank)
            w_uk, w_uv = w[:, : self.nope], w[:, self.nope:]
            q_latent = torch.einsum("bhtd,hdc->bhtc", q_nope, w_uk)
            scores = torch.einsum("bhtc,bsc->bhts", q_latent, c_kv) + rope_scores
        else:
            k_nope, v = self.expand_kv(c_kv)
            scores = q_nope @ k_nope.transpose(-1, -2) + rope_scores
        scores = (scores * self.softmax_scale).masked_fill(~visible, float("-inf"))
        probs = scores.softmax(dim=-1)
        if absorb:
            o = torch.einsum("bhtc,hvc->bhtv", torch.einsum("bhts,bsc->bhtc", probs, c_kv), w_uv)
        else:
            o = probs @ v
        return self.o_proj(o.transpose(1, 2).reshape(B, T, self.num_heads * self.v_dim))

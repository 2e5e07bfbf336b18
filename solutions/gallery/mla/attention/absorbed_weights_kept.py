"""W_UK and W_UV split out of kv_b_proj.weight once, at the first absorbed call, and kept on the
module as plain attributes (views of the weight). Every later call reuses them: the outputs
are right as long as the weight is only updated in place (an optimizer step), but .double() /
.to() give kv_b_proj a new storage and the kept views still point at the old float32 one (the
next float64 call fails or uses old weights); a kept copy would also miss load_state_dict.

Fix: split kv_b_proj.weight at every call (a view costs nothing).
"""

from solutions.mla.attention import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.attention import MultiHeadLatentAttention as _Correct
import torch


class MultiHeadLatentAttention(_Correct):
    def forward(self, x, cache=None, start_pos=0, absorb=False):
        if not absorb:
            return super().forward(x, cache, start_pos)
        B, T, _ = x.shape
        if not hasattr(self, "_w_uk"):  # wrong: kept from the first call
            w = self.kv_b_proj.weight.view(self.num_heads, self.nope + self.v_dim, self.kv_lora_rank)
            self._w_uk, self._w_uv = w[:, : self.nope], w[:, self.nope:]
        positions = torch.arange(start_pos, start_pos + T, device=x.device)
        q_nope, q_rope = self.queries(x, positions)
        c_kv, k_rope = self.latent(x, positions)
        if cache is not None:
            c_kv, k_rope = cache.update(c_kv, k_rope, start_pos)
            key_positions = torch.arange(c_kv.shape[1], device=x.device)
        else:
            key_positions = positions
        visible = key_positions[None, :] <= positions[:, None]
        rope_scores = torch.einsum("bhtd,bsd->bhts", q_rope, k_rope)
        q_latent = torch.einsum("bhtd,hdc->bhtc", q_nope, self._w_uk)
        scores = torch.einsum("bhtc,bsc->bhts", q_latent, c_kv) + rope_scores
        scores = (scores * self.softmax_scale).masked_fill(~visible, float("-inf"))
        probs = scores.softmax(dim=-1)
        o_latent = torch.einsum("bhts,bsc->bhtc", probs, c_kv)
        o = torch.einsum("bhtc,hvc->bhtv", o_latent, self._w_uv)
        return self.o_proj(o.transpose(1, 2).reshape(B, T, self.num_heads * self.v_dim))

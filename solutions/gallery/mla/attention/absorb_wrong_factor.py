"""Absorbed path with a wrongly transposed factor: W_UK is folded into the query as
q_latent = q_nope @ W_UK[h], where W_UK[h] = kv_b_proj.weight.view(H, nope + v, r)[h, :nope]
has shape (nope, r) and needs no transpose (score = q_nope . (W_UK c) = (q_nope W_UK) . c);
W_UV is applied after the attention TRANSPOSED: (probs @ c_kv) @ W_UV[h].T. Here the "transpose"
of W_UV is done with reshape(H, r, v), which keeps the shape a transpose would give but
scrambles the entries (a reshape is not a transpose). With distinct sizes, the other classic
slip, transposing W_UK instead of W_UV, fails with a shape error. Fix: .transpose(-1, -2) (or
.mT, or an einsum "bhtc,hvc->bhtv") on W_UV, none on W_UK."""

from typing import Optional

import torch

from solutions.mla.attention import *  # noqa: F401,F403 (the rest is correct)
from solutions.mla.attention import MLACache, MultiHeadLatentAttention as _Correct


class MultiHeadLatentAttention(_Correct):
    def forward(self, x: torch.Tensor, cache: Optional[MLACache] = None, start_pos: int = 0,
                absorb: bool = False) -> torch.Tensor:
        if not absorb:
            return super().forward(x, cache=cache, start_pos=start_pos, absorb=False)
        B, T, _ = x.shape
        H, r = self.num_heads, self.kv_lora_rank
        positions = torch.arange(start_pos, start_pos + T, device=x.device)
        q_nope, q_rope = self.queries(x, positions)
        c_kv, k_rope = self.latent(x, positions)
        key_positions = positions
        if cache is not None:
            c_kv, k_rope = cache.update(c_kv, k_rope, start_pos)
            key_positions = torch.arange(c_kv.shape[1], device=x.device)
        w = self.kv_b_proj.weight.view(H, self.nope + self.v_dim, r)
        w_uk, w_uv = w[:, : self.nope], w[:, self.nope:]
        q_latent = q_nope @ w_uk
        scores = q_latent @ c_kv.unsqueeze(1).transpose(-1, -2) + q_rope @ k_rope.unsqueeze(1).transpose(-1, -2)
        scores = (scores * self.softmax_scale).masked_fill(key_positions[None, :] > positions[:, None],
                                                           float("-inf"))
        o_latent = scores.softmax(dim=-1) @ c_kv.unsqueeze(1)
        o = o_latent @ w_uv.reshape(H, r, self.v_dim)  # wrong: a reshape is not a transpose
        return self.o_proj(o.transpose(1, 2).reshape(B, T, H * self.v_dim))
